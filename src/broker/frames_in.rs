//! Reading WebSocket frame headers as bytes stream in, so that a message longer than a client's
//! role allows is refused at its header, before its payload is read (RFC 6455, section 5.2).

/// Where the reader is in the byte stream of frames.
#[derive(Debug, Clone)]
pub struct FrameHeaders {
    header: [u8; 14],
    have: usize,
    need: usize,
    payload_left: u64,
    /// Payload bytes of the data message being read, over its frames so far.
    message: u64,
}

impl Default for FrameHeaders {
    fn default() -> Self {
        Self {
            header: [0; 14],
            have: 0,
            need: 2,
            payload_left: 0,
            message: 0,
        }
    }
}

/// The header's length, from its second byte: 2, plus 2 or 8 for longer lengths, plus 4 for
/// the mask.
fn header_len(second: u8) -> usize {
    let extended = match second & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    2 + extended + if second & 0x80 == 0 { 0 } else { 4 }
}

impl FrameHeaders {
    /// Follows `bytes`; as soon as a data message's length passes `limit`, `Err` with that
    /// length and how many of `bytes` come up to the end of its header (control frames are small
    /// by protocol and never count).
    pub fn feed(&mut self, bytes: &[u8], limit: u64) -> Result<(), (u64, usize)> {
        let mut i = 0;
        while i < bytes.len() {
            if self.payload_left > 0 {
                let take = self.payload_left.min((bytes.len() - i) as u64);
                self.payload_left -= take;
                i += take as usize;
                continue;
            }
            self.header[self.have] = bytes[i];
            self.have += 1;
            i += 1;
            if self.have == 2 {
                self.need = header_len(self.header[1]);
            }
            if self.have == self.need {
                self.frame(limit).map_err(|length| (length, i))?;
            }
        }
        Ok(())
    }

    fn frame(&mut self, limit: u64) -> Result<(), u64> {
        let h = &self.header;
        let len = match h[1] & 0x7f {
            126 => u64::from(u16::from_be_bytes([h[2], h[3]])),
            127 => u64::from_be_bytes([h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]]),
            short => u64::from(short),
        };
        let (fin, control) = (h[0] & 0x80 != 0, h[0] & 0x08 != 0);
        self.have = 0;
        self.need = 2;
        self.payload_left = len;
        if control {
            return Ok(());
        }
        self.message = self.message.saturating_add(len);
        if self.message > limit {
            return Err(self.message);
        }
        if fin {
            self.message = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A masked client frame header for `len` payload bytes.
    fn header(fin: bool, opcode: u8, len: u64) -> Vec<u8> {
        let mut h = vec![if fin { 0x80 } else { 0 } | opcode];
        match len {
            0..=125 => h.push(0x80 | len as u8),
            126..=0xffff => {
                h.push(0x80 | 0x7e);
                h.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                h.push(0x80 | 0x7f);
                h.extend_from_slice(&len.to_be_bytes());
            }
        }
        h.extend_from_slice(&[1, 2, 3, 4]);
        h
    }

    fn frame(fin: bool, opcode: u8, len: usize) -> Vec<u8> {
        let mut f = header(fin, opcode, len as u64);
        f.extend(std::iter::repeat_n(b'x', len));
        f
    }

    #[test]
    fn messages_within_the_limit_pass_one_byte_at_a_time_or_all_at_once() {
        let stream: Vec<u8> = [
            frame(true, 1, 100),
            frame(true, 9, 4),
            frame(true, 1, 70_000),
        ]
        .concat();
        let mut whole = FrameHeaders::default();
        assert_eq!(whole.feed(&stream, 70_000), Ok(()));
        let mut bytewise = FrameHeaders::default();
        for b in &stream {
            assert_eq!(bytewise.feed(std::slice::from_ref(b), 70_000), Ok(()));
        }
    }

    #[test]
    fn a_long_message_is_refused_at_its_header() {
        let mut f = FrameHeaders::default();
        assert_eq!(
            f.feed(&header(true, 1, 13_000_000), 65_536),
            Err((13_000_000, 14))
        );
        let mut f = FrameHeaders::default();
        assert_eq!(
            f.feed(&header(true, 1, u64::MAX), 65_536),
            Err((u64::MAX, 14))
        );
    }

    #[test]
    fn fragments_count_together_and_control_frames_do_not() {
        let mut f = FrameHeaders::default();
        let start = [frame(false, 1, 40_000), frame(true, 9, 100)].concat();
        assert_eq!(f.feed(&start, 65_536), Ok(()));
        let mut next = header(true, 0, 40_000);
        next.extend_from_slice(b"payload that is never read");
        assert_eq!(f.feed(&next, 65_536), Err((80_000, 8)));
        let mut f = FrameHeaders::default();
        let stream = [frame(true, 1, 60_000), frame(true, 1, 60_000)].concat();
        assert_eq!(f.feed(&stream, 65_536), Ok(()), "each message on its own");
    }
}
