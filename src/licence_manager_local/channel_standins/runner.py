"""Run the channel stand-in on a background thread, or from the command line."""

from __future__ import annotations

from ..serving import BackgroundServer, quiet_server
from .app import ChannelStandInApp, Outbox


class RunningChannelStandIn(BackgroundServer):
    def __init__(self, app: ChannelStandInApp, host: str, port: int) -> None:
        self.app = app
        super().__init__(quiet_server(app, host, port), app.stopping, name="channel-standin")
        self.url = f"http://{self.host}:{self.port}"

    @property
    def outbox(self) -> Outbox:
        return self.app.outbox

    def chat_url(self, space: str = "DEMO") -> str:
        return f"{self.url}/v1/spaces/{space}/messages?key=local-key&token=local-token"

    def slack_url(self, hook: str = "T000/B000/local") -> str:
        return f"{self.url}/services/{hook}"

    def webhook_url(self, receiver: str = "demo") -> str:
        return f"{self.url}/hooks/{receiver}"


def start_channel_standin(host: str = "127.0.0.1", port: int = 0) -> RunningChannelStandIn:
    return RunningChannelStandIn(ChannelStandInApp(), host, port)
