"""Local stand-ins for the alert channels: Google Chat and Slack incoming webhooks and a
generic signed-webhook receiver, in one server with an outbox, as the SendGrid stand-in.

    POST /v1/spaces/{space}/messages?key=…&token=…   Google Chat (threadKey, messageReplyOption)
    POST /services/{team}/{bot}/{secret}               Slack ("ok", or a plain-text error code)
    POST /hooks/{name}                                 a receiver verifying docs/webhooks.md

Faults are queued, deterministic: refuse the next N posts (429 with Retry-After, 5xx; nothing
recorded), answer 5xx after recording (the ambiguous case), or hold the answer S seconds.
"""

from .app import ChannelStandInApp, Posted
from .runner import RunningChannelStandIn, start_channel_standin

__all__ = ["ChannelStandInApp", "Posted", "RunningChannelStandIn", "start_channel_standin"]
