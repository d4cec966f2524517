"""The area navigation under the header of the supervisor's pages: every area the caller may open (the
start page's menu, from the access table), the current one marked."""

from django.urls import reverse

from sscard.web.menu import menu_for


def area_nav(request, current: str) -> dict:
    return {"menu": menu_for(request.actor), "current_url": reverse(current)}
