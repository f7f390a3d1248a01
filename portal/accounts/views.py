from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm


@login_required
def profile(request):
    """A person's own details: the name printed on certificates, contacts and photo."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile has been saved."))
            return redirect("account_profile")
        user.refresh_from_db()
    else:
        form = ProfileForm(instance=user)
    return render(request, "accounts/profile.html", {"form": form})
