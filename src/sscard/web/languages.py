"""The pages' language: Simplified Chinese unless the user chose English with the switcher in the header.

``ChosenLanguageMiddleware`` takes the place of Django's ``LocaleMiddleware``: the language is the one
in the cookie that Django's ``set_language`` view sets (``/i18n/setlang/``, a POST), else
``LANGUAGE_CODE``.  Unlike Django's middleware it does not follow the browser's Accept-Language: the
pages are Chinese by default (a workstation's browser language is the machine's, not the clerk's), and
English only by choice.  The choice outlives sign-out (a cookie, ``LANGUAGE_COOKIE_AGE``), and times
stay Beijing time in either language (``TIME_ZONE``).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request) -> str:
    """The language of the cookie when it names one of ``LANGUAGES``, else the default (zh-hans)."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def html_lang(code: str | None = None) -> str:
    """The ``lang`` of a page (BCP 47): zh-CN for the Chinese pages (fonts pick Simplified forms), en."""
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    return "zh-CN" if code.lower().startswith("zh") else code


def switcher(request) -> dict:
    """What the header's language switcher shows: the other languages, each named in itself, and where
    the switch leads back to (the page itself; a page answering a POST cannot be asked for again, so
    the start page then)."""
    current = translation.get_language()
    choices = [{"code": code, "name": name, "lang": html_lang(code)}
               for code, name in settings.LANGUAGES if code != current]
    back = request.get_full_path() if request.method == "GET" else reverse("web:start")
    return {"language_choices": choices, "language_next": back, "html_lang": html_lang(current)}
