#!/usr/bin/python3
"""A virtual マイナンバーカード for the card agent's tests.

It implements the 券面事項入力補助AP as the agent uses it — SELECT of the AP by its AID and of
EF 0011 (PIN), 0001 (個人番号) and 0002 (the four items) by id, VERIFY with and without a PIN,
READ BINARY at an offset — and plugs into pcscd through Debian's vsmartcard-vpcd with
python3-virtualsmartcard's VirtualICC. Every person on it is made up.

    mynacard.py --pin 1234 [--tries 3] [--remove-after-verify] [--port 35963]

`--tries 0` is a blocked PIN; `--remove-after-verify` takes the card out of the reader as soon as
the PIN has been verified, as a resident who pulls the card away mid-read does.
"""
import argparse
import logging
import os
import sys

# Debian installs virtualsmartcard outside the interpreter's path, and pycryptodome under the
# name Cryptodome while virtualsmartcard imports it as Crypto (this card needs no cryptography).
sys.path.insert(0, "/usr/lib/python3/site-packages/virtualsmartcard")
try:
    import Crypto  # noqa: F401
except ImportError:
    import Cryptodome
    sys.modules["Crypto"] = Cryptodome
from virtualsmartcard.VirtualSmartcard import SmartcardOS, VirtualICC  # noqa: E402

AID = bytes.fromhex("D3921000310001010408")
OK = b"\x90\x00"
NOT_FOUND = b"\x6a\x82"
SECURITY = b"\x69\x82"
BLOCKED = b"\x69\x83"
WRONG_LENGTH = b"\x67\x00"
NOT_SUPPORTED = b"\x6d\x00"


def tlv(tag, value):
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFF:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return tag + length + value


def attributes(name, address, birth, sex):
    inner = tlv(b"\xdf\x21", bytes(8))
    for tag, value in ((b"\xdf\x22", name), (b"\xdf\x23", address),
                       (b"\xdf\x24", birth), (b"\xdf\x25", sex)):
        inner += tlv(tag, value.encode("utf-8"))
    return tlv(b"\xff\x20", inner)


class KenmenHojoOS(SmartcardOS):
    def __init__(self, args):
        self.pin = args.pin.encode("ascii")
        self.tries = args.tries
        self.remove_after_verify = args.remove_after_verify
        self.files = {
            0x0001: tlv(b"\xff\x10", args.my_number.encode("ascii")),
            0x0002: attributes(args.name, args.address, args.birth, args.sex),
        }
        self.reset()

    def reset(self):
        self.selected_ap = False
        self.selected = None
        self.verified = False

    def powerUp(self):
        self.reset()

    def powerDown(self):
        self.reset()

    def getATR(self):
        return bytes.fromhex("3B8B80010031C1640860321F0F9000")

    def execute(self, msg):
        if len(msg) < 4:
            return WRONG_LENGTH
        ins, p1, p2 = msg[1], msg[2], msg[3]
        data = msg[5:5 + msg[4]] if len(msg) > 5 else b""
        if ins == 0xA4:
            return self.select(p1, data)
        if ins == 0x20:
            return self.verify(data)
        if ins == 0xB0:
            return self.read_binary(((p1 & 0x7F) << 8) | p2, msg[4] if len(msg) == 5 else 0)
        return NOT_SUPPORTED

    def select(self, p1, data):
        if p1 == 0x04:
            self.selected_ap = data == AID
            self.selected = None
            return OK if self.selected_ap else NOT_FOUND
        if p1 == 0x02 and self.selected_ap and len(data) == 2:
            fid = int.from_bytes(data, "big")
            if fid == 0x0011 or fid in self.files:
                self.selected = fid
                return OK
        return NOT_FOUND

    def verify(self, pin):
        if self.selected != 0x0011:
            return SECURITY
        if self.tries == 0:
            return BLOCKED
        if not pin:
            return bytes([0x63, 0xC0 | self.tries])
        if pin != self.pin:
            self.tries -= 1
            return BLOCKED if self.tries == 0 else bytes([0x63, 0xC0 | self.tries])
        self.tries = 3
        self.verified = True
        if self.remove_after_verify:
            # The card leaves the reader: vpcd sees its socket close.
            logging.shutdown()
            os._exit(0)
        return OK

    def read_binary(self, offset, le):
        if self.selected not in self.files:
            return NOT_FOUND
        if not self.verified:
            return SECURITY
        content = self.files[self.selected]
        if offset > len(content):
            return b"\x6b\x00"
        chunk = content[offset:offset + (le or 256)]
        return chunk + OK


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pin", default="1234")
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--remove-after-verify", action="store_true")
    parser.add_argument("--my-number", default="123456789018")
    parser.add_argument("--name", default="大田　花子")
    parser.add_argument("--address", default="東京都大田区蒲田五丁目１３番１４号")
    parser.add_argument("--birth", default="19850401")
    parser.add_argument("--sex", default="2")
    parser.add_argument("--port", type=int, default=0x8C7B)
    args = parser.parse_args()
    icc = VirtualICC(None, "iso7816", "localhost", args.port, logginglevel=logging.WARNING)
    icc.os = KenmenHojoOS(args)
    print("card inserted", flush=True)
    icc.run()


if __name__ == "__main__":
    main()
