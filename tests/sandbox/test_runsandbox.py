from io import StringIO

from django.core.management import call_command


def test_runsandbox_says_where_the_site_expects_the_sandbox(settings):
    settings.SEVENDIGITAL_SANDBOX_URL = "http://127.0.0.1:9123"
    out = StringIO()

    call_command("runsandbox", stdout=out)

    assert out.getvalue() == (
        "The 7digital sandbox arrives with issue #3; the site is configured to reach it "
        "at http://127.0.0.1:9123.\n"
    )
