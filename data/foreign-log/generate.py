#!/usr/bin/env python3
"""
Writes a small C2SP tlog-tiles log into ./log (checkpoint, tile/<L>/..., tile/entries/...) and its note
verifier key into ./log.vkey, independently of SentinelIQ's writer: Python's hashlib, and Ed25519 written
out here from RFC 8032 section 5.1 (checked against the RFC's test vector 1 before use). Deterministic:
running it again writes the same bytes. Standard library only.

    python3 data/foreign-log/generate.py
"""
import base64
import hashlib
import os
import shutil

ORIGIN = "example.org/foreign-log"
SIZE = 700  # two full tiles and a partial one at level 0; a partial tile at level 1
HERE = os.path.dirname(os.path.abspath(__file__))

# --- Ed25519 (RFC 8032, section 5.1) ---------------------------------------------------------------
P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    # Extended homogeneous coordinates (X, Y, Z, T).
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, pt):
    acc = (0, 1, 1, 0)
    while s:
        if s & 1:
            acc = _add(acc, pt)
        pt = _add(pt, pt)
        s >>= 1
    return acc


def _x_of(y, sign):
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if x & 1 != sign:
        x = P - x
    return x


_GY = 4 * pow(5, P - 2, P) % P
_GX = _x_of(_GY, 0)
BASE = (_GX, _GY, 1, _GX * _GY % P)


def _encode(pt):
    zi = pow(pt[2], P - 2, P)
    x, y = pt[0] * zi % P, pt[1] * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _expand(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)
    return a, h[32:]


def public_key(seed):
    return _encode(_mul(_expand(seed)[0], BASE))


def sign(seed, msg):
    a, prefix = _expand(seed)
    pub = _encode(_mul(a, BASE))
    r = int.from_bytes(hashlib.sha512(prefix + msg).digest(), "little") % Q
    big_r = _encode(_mul(r, BASE))
    k = int.from_bytes(hashlib.sha512(big_r + pub + msg).digest(), "little") % Q
    return big_r + ((r + k * a) % Q).to_bytes(32, "little")


def _self_check():
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    assert public_key(seed).hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert sign(seed, b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


# --- RFC 6962 Merkle tree, C2SP tlog-tiles, checkpoint, signed note --------------------------------
def leaf_hash(e):
    return hashlib.sha256(b"\x00" + e).digest()


def node_hash(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(hashes):
    """RFC 6962 Merkle tree hash over leaf hashes: split at the largest power of two below n."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def tile_index(n):
    groups = []
    while True:
        groups.insert(0, "%03d" % (n % 1000))
        n //= 1000
        if n == 0:
            break
    return "/".join(("x" + g if i < len(groups) - 1 else g) for i, g in enumerate(groups))


def entry(i):
    # Opaque bytes of varied length, some longer than 255 (two-byte length prefix), one empty.
    if i == 5:
        return b""
    return ("entry %d of another log " % i).encode() + bytes((i * 7 + j) % 256 for j in range((i * 37) % 300))


def write(out, path, data):
    full = os.path.join(out, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)


def main():
    _self_check()
    seed = hashlib.sha256(b"foreign-log test key: not a secret").digest()
    pub = public_key(seed)
    out = os.path.join(HERE, "log")
    shutil.rmtree(out, ignore_errors=True)
    entries = [entry(i) for i in range(SIZE)]
    level = [leaf_hash(e) for e in entries]
    lvl = 0
    while level:
        for n in range(0, (len(level) + 255) // 256):
            chunk = level[n * 256 : n * 256 + 256]
            suffix = "" if len(chunk) == 256 else ".p/%d" % len(chunk)
            write(out, "tile/%d/%s%s" % (lvl, tile_index(n), suffix), b"".join(chunk))
            if lvl == 0:
                es = entries[n * 256 : n * 256 + 256]
                bundle = b"".join(len(e).to_bytes(2, "big") + e for e in es)
                write(out, "tile/entries/%s%s" % (tile_index(n), suffix), bundle)
        level = [mth(level[i : i + 256]) for i in range(0, len(level) - 255, 256)]
        lvl += 1
    root = mth([leaf_hash(e) for e in entries])
    body = "%s\n%d\n%s\n" % (ORIGIN, SIZE, base64.b64encode(root).decode())
    key_id = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + pub).digest()[:4]
    sig = base64.b64encode(key_id + sign(seed, body.encode())).decode()
    write(out, "checkpoint", ("%s\n\u2014 %s %s\n" % (body, ORIGIN, sig)).encode())
    vkey = "%s+%s+%s" % (ORIGIN, key_id.hex(), base64.b64encode(b"\x01" + pub).decode())
    with open(os.path.join(HERE, "log.vkey"), "w") as f:
        f.write(vkey + "\n")
    print("wrote %d entries, root %s, key %s" % (SIZE, base64.b64encode(root).decode(), vkey))


if __name__ == "__main__":
    main()
