""" "Send a test message" from the Notifications page: one post, its outcome told to the person
who asked (it records nothing, so a trial is never flagged or retried)."""

from __future__ import annotations

from licence_manager.domain.channel_messages import trial_message
from licence_manager.domain.channels import Channel
from licence_manager.ports.channels import ChannelSender


def post_trial_message(sender: ChannelSender, channel: Channel, dashboard_url: str) -> None:
    """Raises the sender's PostRejected, PostDeferred or PostInDoubt."""
    sender.post(channel, trial_message(channel.kind, channel.customer_id, dashboard_url))
