"""The API docs page and its OpenAPI document behind sign-in in production (``SSCARD_API_DOCS_PUBLIC``).

Public in development (the setting defaults to ``SSCARD_DEBUG``).  Otherwise the caller must be signed in
as the API's own routes are: a valid bearer token or a staff session (``api.auth.AUTH``).  The docs page
sends a browser without a session to the staff sign-in page; the document answers the API's 401 body.
"""

import functools

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import urlencode

from sscard.api.auth import AUTH


def _signed_in(request) -> bool:
    return any(auth(request) for auth in AUTH)


def docs_behind_sign_in(view):
    @functools.wraps(view, assigned=("__doc__",))
    def guarded(request, *args, **kwargs):
        if settings.SSCARD_API_DOCS_PUBLIC or _signed_in(request):
            return view(request, *args, **kwargs)
        if request.path.endswith("/docs"):
            return redirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
        body = {"code": "NOT_AUTHENTICATED", "message": "未登录或凭据无效", "rule": "", "details": {}}
        return JsonResponse(body, status=401, json_dumps_params={"ensure_ascii": False})

    return guarded
