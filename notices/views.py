from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from notices.models import Demand


class DemandListView(LoginRequiredMixin, ListView):
    template_name = "notices/demand_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Demand.objects.for_user(self.request.user).select_related("respondent")
