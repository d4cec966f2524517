"""The pages: one URL list per area, mounted at the site root (the API lives under /api/v1/)."""

from django.urls import path, register_converter

from sscard.web.converters import RequestNoConverter
from sscard.web.views import hotline, review, session

app_name = "web"

urlpatterns = [
    path("", session.start, name="start"),
    path("sign-in/", session.sign_in, name="sign_in"),
    path("sign-out/", session.sign_out, name="sign_out"),
    path("session/keepalive/", session.keepalive, name="keepalive"),
]

# 审核: the review queue of app applications (reviewers, supervisors)
register_converter(RequestNoConverter, "request_no")
urlpatterns += [
    path("review/", review.queue, name="review_queue"),
    path("review/<request_no:no>/", review.case, name="review_case"),
    path("review/<request_no:no>/images/<int:item_id>/", review.image, name="review_image"),
    path("review/<request_no:no>/approve/", review.approve, name="review_approve"),
    path("review/<request_no:no>/reject/", review.reject, name="review_reject"),
    path("review/<request_no:no>/release/", review.release, name="review_release"),
    path("review/<request_no:no>/reassign/", review.reassign, name="review_reassign"),
]

# 12333: the hotline desk (hotline operators)
urlpatterns += [
    path("hotline/", hotline.desk, name="hotline"),
    path("hotline/loss/", hotline.loss_report, name="hotline_loss"),
    path("hotline/status/", hotline.status_query, name="hotline_status"),
    path("hotline/end/", hotline.end_call, name="hotline_end"),
]
