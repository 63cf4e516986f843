"""Sign-up pages (a person and their business) and the landing page after signing in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods

from sourcewise.accounts.models import User
from sourcewise.accounts.views import BACKEND
from sourcewise.core.access import login_view, public_view
from sourcewise.core.forms import apply_errors
from sourcewise.core.http import SignedInRequest
from sourcewise.core.links import site_url
from sourcewise.workspaces.forms import ConfirmSignupForm, SignupForm
from sourcewise.workspaces.selectors import current_membership
from sourcewise.workspaces.signup import confirm_signup, request_signup, signup_tokens


@public_view
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            request_signup(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                base_url=site_url(request),
                name=data["workspace_name"],
                home_country=data["home_country"],
                base_currency=data["base_currency"],
                timezone=data["timezone"],
                stage=data["stage"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # The same answer whether or not the address has an account (SPEC §7).
            return redirect("signup:sent")
    return render(request, "accounts/signup.html", {"form": form})


@public_view
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@public_view
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link of the confirmation email: the password chosen at sign-up finishes it."""
    try:
        user: User | None = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()), is_active=False)
    except (ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not signup_tokens.check_token(user, token):
        return render(request, "accounts/signup_confirm.html", {"invalid": True}, status=404)
    form = ConfirmSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if user.check_password(form.cleaned_data["password"]):
            confirm_signup(user=user)
            login(request, user, backend=BACKEND)
            messages.success(request, "Welcome to Sourcewise. Your workspace is ready.")
            return redirect("home")
        form.add_error("password", "This is not the password chosen at sign-up.")
    return render(request, "accounts/signup_confirm.html", {"form": form, "email": user.email})


@login_view
def home(request: SignedInRequest) -> HttpResponse:
    """Where a signed-in person lands: the dashboard for the team, the portal for freelancers."""
    membership = current_membership(request)
    if membership is None:
        return redirect("workspaces:workspace_list")
    if membership.is_internal:
        return redirect("findings:dashboard")
    return redirect("portal:home")
