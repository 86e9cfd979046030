"""The sandbox's backends: one per area of the 7digital API, each owning its state and rules.

Modelled on moto's ``models.py``: a backend holds the ORM work and 7digital's rules for its
area (what a country sees, when a refund is still taken, how many downloads are left, which
play logs are admitted), raises the sandbox's error-code exceptions (``sandbox.exceptions``)
and returns model objects or plain values. It knows nothing of HTTP: the handlers in
``sandbox/handlers/`` read the parameters, call the backend and render its answer
(``sandbox/shapes.py``), and the control API (``sandbox/control.py``) calls the same
backends to reset, list or change their state.

One module per area, one class per module and one instance of it:

* ``catalogue``: artists, releases, tracks, tags, charts, search and preview clips
  (``catalogue_backend``);
* ``users``: partner users, the sales reported to 7digital and their refunds
  (``users_backend``);
* ``lockers``: what a user bought, and the downloads of it (``lockers_backend``);
* ``playlogs``: the play logs received and their rate limit (``playlogs_backend``);
* ``subscriptions``: partner users' subscriptions, their rules and the streaming access
  they give (``subscriptions_backend``);
* ``streams``: full-track streams, who may play what, and one device at a time with
  ``clientId`` (``streams_backend``).
* ``offline``: devices registered for offline play, and the tracks they cache
  (``offline_backend``).

A new area (playlists) adds a module here in the
same shape, its handlers in ``sandbox/handlers/`` and, if tests need it, control calls.

Where the reference answers before reading every parameter (2001 for an unknown artist
or user before 1001 for a missing country; 429 before the body is read), the handler
calls the backend in the same order: it first resolves what the path or the credentials
name, then reads the rest and calls the action. Everything a backend remembers outside
the database (the clock, play-log windows) lives in ``sandbox.state``.
"""
