class SandboxRouter:
    """Keeps the sandbox's data in the `sandbox` database and nothing else there.

    The sandbox stands in for 7digital, whose data the store never sees directly, so no
    relation may cross the two databases.
    """

    app_label = "sandbox"
    database = "sandbox"

    def _is_sandbox(self, model):
        return model._meta.app_label == self.app_label

    def db_for_read(self, model, **hints):
        return self.database if self._is_sandbox(model) else None

    def db_for_write(self, model, **hints):
        return self.database if self._is_sandbox(model) else None

    def allow_relation(self, obj1, obj2, **hints):
        if self._is_sandbox(obj1) != self._is_sandbox(obj2):
            return False
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == self.database:
            return app_label == self.app_label
        if app_label == self.app_label:
            return False
        return None
