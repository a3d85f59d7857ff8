import pytest


@pytest.mark.urls("tests.core.error_urls")
def test_server_error_page_is_friendly_and_leaks_nothing(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "RuntimeError" not in body and "boom" not in body.replace("/boom/", "")


def test_health_check_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    # The htmx script tag carries the same nonce.
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
