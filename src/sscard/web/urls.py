"""The pages: one block of URLs per area, mounted at the site root (the API lives under /api/v1/)."""

from django.urls import path, register_converter

from sscard.web.converters import RequestNoConverter
from sscard.web.views import (
    app_apply,  # citizen app pages
    app_cards,
    app_ecard,
    app_session,
    audit_search,  # supervisor pages
    dashboard,
    hotline,
    kiosk_session,  # 自助一体机 pages
    review,
    session,
    settings_pages,
    window,
    window_apply,
    window_batch,
    window_business,
    window_queue,
    window_request,
    window_simulator,
    window_steps,
    work_items,
)

app_name = "web"
register_converter(RequestNoConverter, "request_no")  # strict: no NUL or other bytes a database refuses

urlpatterns = [
    path("", session.start, name="start"),
    path("sign-in/", session.sign_in, name="sign_in"),
    path("sign-out/", session.sign_out, name="sign_out"),
    path("session/keepalive/", session.keepalive, name="keepalive"),
]

# window clerk workstation (窗口工作台)
urlpatterns += [
    path("window/", window.home, name="window"),
    path("window/find/", window.find_person, name="window_find"),
    path("window/clear/", window.clear_person, name="window_clear"),
    path("window/scan/", window.scan_code, name="window_scan"),  # 电子社保卡码 / kiosk voucher QR
    path("window/read-id-card/", window.read_id_card, name="window_read_id"),
    path("window/checklist/", window.checklist, name="window_checklist"),
    path("window/apply/", window_apply.apply_form, name="window_apply"),
    path("window/apply/review/", window_apply.apply_review, name="window_apply_review"),
    path("window/apply/photo-check/", window_apply.photo_check, name="window_photo_check"),
    path("window/apply/submit/", window_apply.apply_submit, name="window_apply_submit"),
    path("window/b/<str:business>/", window_business.business_form, name="window_business"),
    path("window/b/<str:business>/review/", window_business.business_review, name="window_business_review"),
    path("window/b/<str:business>/submit/", window_business.business_submit, name="window_business_submit"),
    path("window/requests/<request_no:no>/", window_request.request_page, name="window_request"),
    path("window/requests/<request_no:no>/receipt.pdf", window_request.receipt_pdf, name="window_receipt"),
    path("window/requests/<request_no:no>/evaluate/", window_request.evaluate, name="window_evaluate"),
    path("window/requests/<request_no:no>/form.pdf", window_steps.form_pdf, name="window_form_pdf"),
    path("window/requests/<request_no:no>/signed-form/", window_steps.record_signed_form, name="window_signed_form"),
    path("window/requests/<request_no:no>/fee/", window_steps.settle_fee, name="window_settle_fee"),
    path("window/requests/<request_no:no>/finish/", window_steps.finish_production, name="window_finish"),
    path("window/requests/<request_no:no>/hand-over/", window_steps.hand_over, name="window_hand_over"),
    path("window/deferred/", window_steps.deferred_queue, name="window_deferred"),
    path("window/batches/", window_batch.batch_home, name="window_batch"),
    path("window/batches/orders/<str:order_no>/arrive/", window_batch.arrive, name="window_order_arrive"),
    path("window/batches/pickup/", window_batch.pickup, name="window_batch_pickup"),
    path("window/batches/to-individual/", window_batch.to_individual_form, name="window_to_individual"),
    path("window/batches/to-individual/submit/", window_batch.to_individual_submit,
         name="window_to_individual_submit"),
    path("window/queue/", window_queue.widget, name="window_queue_widget"),
    path("window/queue/<str:what>/", window_queue.action, name="window_queue"),
    path("window/simulated/ticket/", window_queue.take_ticket, name="window_ticket"),
    path("window/simulated/id-card/", window_simulator.place_id_card, name="sim_id_card"),
    path("window/simulated/card/", window_simulator.insert_card, name="sim_card"),
    path("window/simulated/pin-pad/", window_simulator.type_pins, name="sim_pins"),
]

# supervisor pages (issue #9): the dashboard and the issuance device switch, audit search, settings
urlpatterns += [
    path("supervisor/", dashboard.dashboard, name="dashboard"),
    path("supervisor/outlets/<int:outlet_id>/issuance-status/", dashboard.device_status_set, name="device_status_set"),
    path("supervisor/follow-ups/<int:follow_up_id>/close/", dashboard.follow_up_close, name="follow_up_close"),
    path("supervisor/audit/", audit_search.audit_search, name="audit_search"),
    path("supervisor/settings/", settings_pages.outlets, name="settings"),
    path("supervisor/settings/outlets/<int:outlet_id>/", settings_pages.outlet_edit, name="settings_outlet_edit"),
    path("supervisor/settings/fees/", settings_pages.fees, name="settings_fees"),
    path("supervisor/settings/fees/new/", settings_pages.fee_add, name="settings_fee_add"),
    path("supervisor/settings/fees/<int:rule_id>/", settings_pages.fee_edit, name="settings_fee_edit"),
    path("supervisor/settings/calendar/", settings_pages.calendar, name="settings_calendar"),
    path("supervisor/settings/calendar/new/", settings_pages.calendar_add, name="settings_calendar_add"),
    path("supervisor/settings/calendar/<int:day_id>/", settings_pages.calendar_edit, name="settings_calendar_edit"),
    path("supervisor/settings/calendar/<int:day_id>/delete/", settings_pages.calendar_delete,
         name="settings_calendar_delete"),
]

# 审核: the review queue of app applications (reviewers, supervisors)
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
    path("hotline/work-item/", hotline.work_item_review, name="hotline_work_item"),
    path("hotline/work-item/edit/", hotline.work_item_edit, name="hotline_work_item_edit"),
    path("hotline/work-item/submit/", hotline.work_item_submit, name="hotline_work_item_submit"),
]

# 转办工单: the hotline's work items at their outlet (its clerks, supervisors; the operator who sent one)
urlpatterns += [
    path("work-items/", work_items.item_list, name="work_items"),
    path("work-items/<request_no:no>/", work_items.item_page, name="work_item"),
    path("work-items/<request_no:no>/accept/", work_items.accept, name="work_item_accept"),
    path("work-items/<request_no:no>/close/", work_items.close, name="work_item_close"),
    path("work-items/<request_no:no>/cancel/", work_items.cancel, name="work_item_cancel"),
    path("work-items/<request_no:no>/phone/", work_items.phone, name="work_item_phone"),
]

# 重庆人社APP: the citizen app's web views (mobile-first; the citizen page session of web.public_access)
urlpatterns += [
    path("app/", app_cards.root, name="app_root"),
    path("app/sign-in/", app_session.sign_in, name="app_sign_in"),
    path("app/sign-out/", app_session.sign_out, name="app_sign_out"),
    path("app/tasks/", app_cards.tasks, name="app_tasks"),
    path("app/status/", app_cards.status, name="app_status"),
    path("app/loss/report/", app_cards.loss_report, name="app_loss_report"),
    path("app/loss/withdraw/", app_cards.loss_withdraw, name="app_loss_withdraw"),
    path("app/apply/", app_apply.apply, name="app_apply"),
    path("app/done/<request_no:no>/", app_cards.done, name="app_done"),
    path("app/ecard/", app_ecard.ecard, name="app_ecard"),
]

# 自助一体机: the kiosk pages (touch-first; the kiosk page session of web.kiosk_access)
urlpatterns += [
    path("kiosk/", kiosk_session.home, name="kiosk_home"),
    path("kiosk/setup/", kiosk_session.setup, name="kiosk_setup"),
    path("kiosk/sign-in/", kiosk_session.sign_in, name="kiosk_sign_in"),
    path("kiosk/sign-out/", kiosk_session.sign_out, name="kiosk_sign_out"),
    path("kiosk/prefs/", kiosk_session.prefs, name="kiosk_prefs"),
    path("kiosk/simulated/id-card/", kiosk_session.sim_id_card, name="kiosk_sim_id_card"),
    path("kiosk/simulated/card/", kiosk_session.sim_card, name="kiosk_sim_card"),
]
