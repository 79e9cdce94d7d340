#!/usr/bin/env python3
"""Minimal SMTP sink for the demo: accepts every message, delivers none.

Each received message is written as one ``.eml`` file into the outbox
directory, so what Odoo "sent" can be opened in any mail client.

Plain standard library on purpose: ``smtpd``/``asyncore`` are gone from
Python 3.12, and the demo must not need anything from PyPI.

Usage: smtp_sink.py [--host 127.0.0.1] [--port 2525] [--outdir .local/outbox]
"""

import argparse
import datetime
import itertools
import os
import re
import signal
import socket
import socketserver
import sys
import threading

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
IDLE_TIMEOUT = 300  # seconds a client may stay silent before we hang up
ADDRESS_RE = re.compile(rb"^(?:FROM|TO):\s*<?([^>\s]*)>?", re.IGNORECASE)

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _next_filename():
    """Timestamped, sortable and unique even for several messages per µs."""
    with _counter_lock:
        seq = next(_counter)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return f"{stamp}-{os.getpid()}-{seq:04d}.eml"


class SMTPHandler(socketserver.StreamRequestHandler):
    """One SMTP session (RFC 5321 subset: no AUTH, no STARTTLS)."""

    timeout = IDLE_TIMEOUT

    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def reset(self):
        self.mail_from = None
        self.rcpt_to = []

    def handle(self):
        self.reset()
        self.reply(f"220 {self.server.hostname} smtp_sink ready")
        try:
            while True:
                line = self.rfile.readline(65536)
                if not line:
                    return
                if not self.dispatch(line.rstrip(b"\r\n")):
                    return
        except (ConnectionError, TimeoutError):
            return

    def dispatch(self, line):
        """Handle one command line; return False to close the session."""
        verb, _, arg = line.partition(b" ")
        verb = verb.upper()
        if verb == b"EHLO":
            self.reset()
            self.wfile.write(
                f"250-{self.server.hostname} greets you\r\n"
                f"250-SIZE {MAX_MESSAGE_BYTES}\r\n"
                "250-8BITMIME\r\n"
                "250-SMTPUTF8\r\n"
                "250 HELP\r\n".encode("ascii")
            )
            self.wfile.flush()
        elif verb == b"HELO":
            self.reset()
            self.reply(f"250 {self.server.hostname}")
        elif verb == b"MAIL":
            match = ADDRESS_RE.match(arg)
            if not match or not arg.upper().startswith(b"FROM:"):
                self.reply("501 Syntax: MAIL FROM:<address>")
            else:
                self.reset()
                self.mail_from = match.group(1).decode("utf-8", "replace")
                self.reply("250 OK")
        elif verb == b"RCPT":
            match = ADDRESS_RE.match(arg)
            if self.mail_from is None:
                self.reply("503 Error: need MAIL command")
            elif not match or not arg.upper().startswith(b"TO:"):
                self.reply("501 Syntax: RCPT TO:<address>")
            else:
                self.rcpt_to.append(match.group(1).decode("utf-8", "replace"))
                self.reply("250 OK")
        elif verb == b"DATA":
            if not self.rcpt_to:
                self.reply("503 Error: need RCPT command")
            else:
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                return self.receive_data()
        elif verb == b"RSET":
            self.reset()
            self.reply("250 OK")
        elif verb == b"NOOP":
            self.reply("250 OK")
        elif verb == b"VRFY":
            self.reply("252 Cannot VRFY user, but will accept message")
        elif verb == b"HELP":
            self.reply("214 EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT")
        elif verb == b"QUIT":
            self.reply("221 Bye")
            return False
        else:
            self.reply("502 Command not implemented")
        return True

    def receive_data(self):
        chunks = []
        size = 0
        while True:
            line = self.rfile.readline(65536 + 2)
            if not line:
                return False  # client went away mid-message: nothing to save
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]  # undo SMTP dot-stuffing
            size += len(line)
            if size <= MAX_MESSAGE_BYTES:
                chunks.append(line)
        if size > MAX_MESSAGE_BYTES:
            self.reply("552 Message size exceeds fixed maximum")
        else:
            path = self.save(b"".join(chunks))
            self.reply(f"250 OK: saved as {os.path.basename(path)}")
        self.reset()
        return True

    def save(self, body):
        # Envelope headers first, like a delivery agent's Return-Path: they
        # show Bcc recipients that the message headers do not.
        envelope = f"X-Sink-Envelope-From: <{self.mail_from}>\r\n" + "".join(
            f"X-Sink-Envelope-To: <{rcpt}>\r\n" for rcpt in self.rcpt_to
        )
        outdir = self.server.outdir
        name = _next_filename()
        tmp_path = os.path.join(outdir, f".{name}.tmp")
        path = os.path.join(outdir, name)
        with open(tmp_path, "wb") as fh:
            fh.write(envelope.encode("utf-8") + body)
        os.replace(tmp_path, path)  # readers never see half a message
        print(
            f"smtp_sink: {self.mail_from} -> {', '.join(self.rcpt_to)}: {path}",
            file=sys.stderr,
            flush=True,
        )
        return path


class SinkServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, outdir):
        self.outdir = outdir
        self.hostname = socket.gethostname() or "localhost"  # no DNS lookup
        super().__init__(address, SMTPHandler)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--outdir", default=".local/outbox")
    args = parser.parse_args(argv)

    os.makedirs(args.outdir, exist_ok=True)
    outdir = os.path.abspath(args.outdir)
    server = SinkServer((args.host, args.port), outdir)

    # SIGTERM (from tools/demo's cleanup) ends serve_forever() cleanly.
    def _stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    print(
        f"smtp_sink: listening on {args.host}:{args.port}, writing to {outdir}",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
