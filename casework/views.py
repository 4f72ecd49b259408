from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import ListView

from casework.models import InfringingItem


@login_required
def home(request):
    return redirect("casework:item-list")


class ItemListView(LoginRequiredMixin, ListView):
    template_name = "casework/item_list.html"
    paginate_by = 50

    def get_queryset(self):
        return InfringingItem.objects.for_user(self.request.user).select_related(
            "franchise", "platform"
        )
