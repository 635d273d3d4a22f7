from northstar.notifications.models import WebhookTarget


def test_an_admin_adds_a_webhook_target_with_checkboxes(personas, client):
    client.force_login(personas.ada.user)
    page = client.get("/admin/notifications/webhooktarget/add/").content.decode()
    assert 'value="celebration"' in page
    assert 'value="digest"' not in page  # personal kinds never go to a shared channel
    response = client.post(
        "/admin/notifications/webhooktarget/add/",
        {
            "name": "Team channel",
            "url": "https://hooks.slack.example/services/T0/B0/x",
            "format": "slack",
            "kinds": ["celebration", "kudos"],
            "secret": "shh",
            "active": "on",
        },
    )
    assert response.status_code == 302
    target = WebhookTarget.objects.get()
    assert (target.kinds, target.format) == (["celebration", "kudos"], "slack")


def test_the_delivery_log_is_read_only_in_the_admin(personas, client):
    client.force_login(personas.ada.user)
    assert client.get("/admin/notifications/delivery/").status_code == 200
    assert client.get("/admin/notifications/delivery/add/").status_code == 403
