from django.apps import AppConfig, apps


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's app is called "Accounts" too: the admin's index showed two sections of
    # that name. Each is named for what staff find in it.
    verbose_name = "Users and 7digital links"
    allauth_account_verbose_name = "Sign-in email addresses"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from accounts.middleware import second_factor_set_up

        apps.get_app_config("account").verbose_name = self.allauth_account_verbose_name
        authenticator_added.connect(second_factor_set_up, dispatch_uid="accounts.set_up")
