#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd).

    /usr/bin/python3 tests/e2e/smtp-server.py --port N --dir DIR [--reject TEXT]...

Listens on 127.0.0.1:N (N = 0: any free port) and prints "ready PORT" once
it accepts connections. Each message received is saved as DIR/<n>.eml (the
raw bytes, n = 1, 2, ...) next to DIR/<n>.json: the envelope (mail_from,
rcpt_tos) and what Python's email package decodes from the message
(subject, from, to, text, defects), an independent reading for the tests
to compare with. The .json is written before the .eml, each by rename, so
a reader that sees <n>.eml finds both complete. A recipient containing a
--reject TEXT is refused with 550. The server exits on SIGTERM or SIGINT,
and when the process that started it dies.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import sys
import time

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    sys.exit("smtp-server.py: aiosmtpd is missing: install Debian's python3-aiosmtpd "
             "and run this file with /usr/bin/python3")


def decoded(raw):
    """What a mail client shows, as read by Python's email package."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    defects = [repr(d) for d in msg.defects]
    for name in msg.keys():
        defects += [repr(d) for d in getattr(msg[name], "defects", ())]
    return {
        "subject": str(msg.get("subject", "")),
        "from": str(msg.get("from", "")),
        "to": str(msg.get("to", "")),
        "headers": [name.lower() for name in msg.keys()],
        "text": body.get_content().replace("\r\n", "\n") if body is not None else "",
        "defects": defects,
    }


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Mailbox:
    def __init__(self, directory, rejects):
        self.directory = directory
        self.rejects = rejects
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if any(r in address for r in self.rejects):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "received_at": time.time()}
        try:
            meta.update(decoded(raw))
        except Exception as e:  # a malformed message is still saved, for the test to see
            meta["decode_error"] = repr(e)
        write_atomic(base + ".json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        write_atomic(base + ".eml", raw)
        return "250 Message accepted for delivery"


async def main(args):
    os.makedirs(args.dir, exist_ok=True)
    loop = asyncio.get_running_loop()
    handler = Mailbox(args.dir, args.reject)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="tremplin-test-smtp", decode_data=False),
        host=args.host, port=args.port)
    port = server.sockets[0].getsockname()[1]
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    parent = os.getppid()
    print("ready %d" % port, flush=True)
    while not done.is_set():
        if os.getppid() != parent:  # the test that started us is gone
            break
        try:
            await asyncio.wait_for(done.wait(), 0.5)
        except asyncio.TimeoutError:
            pass
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--reject", action="append", default=[],
                   help="refuse recipients containing this text (550)")
    asyncio.run(main(p.parse_args()))
