from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from notices.models import Demand


class DemandListView(LoginRequiredMixin, ListView):
    template_name = "notices/demand_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Demand.objects.for_user(self.request.user).select_related("respondent")


def demand_create(request):
    """Draft a demand from the selected items (built in the demands issue)."""
    raise NotImplementedError


def demand_add_items(request):
    """Add the selected items to a draft demand (built in the demands issue)."""
    raise NotImplementedError
