from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from sourcewise.accounts.forms import AccountPasswordResetForm, EmailAuthenticationForm, SignupForm
from sourcewise.accounts.services import sign_up_with_workspace
from sourcewise.core.access import login_view, public_view
from sourcewise.core.forms import apply_errors
from sourcewise.workspaces.selectors import current_membership

BACKEND = "django.contrib.auth.backends.ModelBackend"


@public_view
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, workspace = sign_up_with_workspace(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                name=data["workspace_name"],
                home_country=data["home_country"],
                base_currency=data["base_currency"],
                timezone=data["timezone"],
                stage=data["stage"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, f"Welcome to Sourcewise. {workspace.name} is ready.")
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


login_page = public_view(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout_page = public_view(auth_views.LogoutView.as_view())
password_reset = public_view(
    auth_views.PasswordResetView.as_view(
        form_class=AccountPasswordResetForm,
        template_name="accounts/password_reset.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = public_view(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public_view(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public_view(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes lockout answer: the same page for every account, known or not."""
    form = EmailAuthenticationForm(request)
    return render(request, "accounts/login.html", {"form": form, "locked": True}, status=429)


@login_view
def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in person lands: the dashboard for the team, the portal for freelancers."""
    membership = current_membership(request)
    if membership is None:
        return redirect("workspaces:workspace_list")
    if membership.is_internal:
        return redirect("findings:dashboard")
    return redirect("portal:home")


def attempted_email(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in attempt is for, as django-axes counts it (case-insensitive)."""
    value = (credentials or {}).get("username") or request.POST.get("username")
    return str(value).strip().lower() if value else None
