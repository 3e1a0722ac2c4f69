"""The SIPp side of the end-to-end harness, checked without Asterisk: the generated scenario
and the key captures (a repeated key must not look like a retransmission to Asterisk)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.e2e.sipp import DTMF_PAYLOAD_TYPE, KEY_EVENTS, Caller, scenario_xml, write_dtmf_pcap


def rtp_packets(path: Path) -> list[tuple[int, int, int, bool, int]]:
    """(sequence number, timestamp, event, end bit, payload type) of each packet."""
    data = path.read_bytes()
    magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
    assert (magic, link) == (0xA1B2C3D4, 1)
    offset, packets = 24, []
    while offset < len(data):
        _, _, length, _ = struct.unpack("<IIII", data[offset:offset + 16])
        frame = data[offset + 16:offset + 16 + length]
        offset += 16 + length
        rtp = frame[14 + 20 + 8:]
        _, marker_type, seq, timestamp, _ = struct.unpack("!BBHII", rtp[:12])
        event, flags, _ = struct.unpack("!BBH", rtp[12:16])
        packets.append((seq, timestamp, event, bool(flags & 0x80), marker_type & 0x7F))
    return packets


def test_presses_of_the_same_key_get_later_sequence_numbers_and_timestamps(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a.pcap", tmp_path / "b.pcap"
    write_dtmf_pcap(first, key="1", press_index=0)
    write_dtmf_pcap(second, key="1", press_index=1)
    a, b = rtp_packets(first), rtp_packets(second)
    assert max(p[0] for p in a) < min(p[0] for p in b)
    assert max(p[1] for p in a) < min(p[1] for p in b)
    assert all(p[2] == 1 and p[4] == DTMF_PAYLOAD_TYPE for p in a + b)
    assert [p[3] for p in a][-3:] == [True, True, True]  # three end-of-event packets
    assert not any(p[3] for p in a[:-3])


@pytest.mark.parametrize("key", sorted(KEY_EVENTS))
def test_every_key_has_its_rfc4733_event(key: str, tmp_path: Path) -> None:
    path = tmp_path / "key.pcap"
    write_dtmf_pcap(path, key=key, press_index=3)
    assert {p[2] for p in rtp_packets(path)} == {KEY_EVENTS[key]}


def test_scenario_waits_for_a_cue_before_each_key_and_before_hanging_up(tmp_path: Path) -> None:
    caller = Caller(number="+420777123456", name="c", keys="2#", hang_up_on_cue=True)
    pcaps = [tmp_path / "k0.pcap", tmp_path / "k1.pcap"]
    root = ET.fromstring(scenario_xml(caller, pcaps))
    steps = [child.tag for child in root]
    assert steps.count("recvCmd") == 3
    plays = [e.get("play_pcap_audio") for e in root.iter("exec")]
    assert plays == [str(p) for p in pcaps]
    sends = [child.text or "" for child in root if child.tag == "send"]
    assert "From: \"+420777123456\" <sip:+420777123456@" in sends[0]
    assert "telephone-event/8000" in sends[0]
    assert sends[-1].strip().startswith("BYE")


def test_a_caller_who_waits_for_asterisk_to_hang_up_answers_its_bye() -> None:
    root = ET.fromstring(scenario_xml(Caller(number="+420777123456", name="c"), []))
    assert [child.tag for child in root][-2:] == ["recv", "send"]
    assert root[-2].get("request") == "BYE"


def test_keys_are_checked() -> None:
    with pytest.raises(ValueError, match="not phone keys"):
        Caller(number="+420777123456", name="c", keys="12a")
