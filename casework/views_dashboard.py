"""Manager dashboard (built in the dashboards issue)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    return render(request, "casework/dashboard.html")
