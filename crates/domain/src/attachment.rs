//! What an uploaded file really is, judged by its structure rather than its first bytes: a
//! PDF must have the header, cross-reference section and trailer a reader needs to open it; a
//! PNG must be a chain of chunks with valid checksums from IHDR to IEND; a JPEG must run from
//! SOI through a frame header with its dimensions to EOI. A PNG signature followed by an
//! executable, or a document with something appended after its end, is refused.
//!
//! This is not a renderer: a file that passes can still have broken content inside. It is the
//! check that what staff download is the kind of file it claims to be, and nothing more.

use crate::procedure::FileType;

/// Why a file was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    /// Not a PDF, JPEG or PNG at all.
    UnknownType,
    /// It starts like one but is not a whole, well-formed file of that type.
    Damaged(FileType),
}

/// The largest image taken, in pixels (a 12,000 × 8,000 photograph): a small file that
/// declares a huge image is a decompression bomb, not a scan of a document.
pub const MAX_PIXELS: u64 = 96_000_000;

/// Recognises a file by its content and checks its structure.
pub fn inspect(bytes: &[u8]) -> Result<FileType, FileProblem> {
    let kind = FileType::sniff(bytes).ok_or(FileProblem::UnknownType)?;
    let whole = match kind {
        FileType::Pdf => pdf_is_whole(bytes),
        FileType::Png => png_is_whole(bytes),
        FileType::Jpeg => jpeg_is_whole(bytes),
    };
    if whole {
        Ok(kind)
    } else {
        Err(FileProblem::Damaged(kind))
    }
}

fn is_pdf_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0')
}

/// `%PDF-1.x`; then, at the end, `startxref`, an offset and `%%EOF`; at that offset a
/// cross-reference table (`xref` with well-formed entries, then a `trailer` with /Root) or a
/// cross-reference stream (`n g obj` whose dictionary is `/Type /XRef`).
fn pdf_is_whole(bytes: &[u8]) -> bool {
    let version_ok = bytes.len() > 8
        && matches!(&bytes[..7], b"%PDF-1." | b"%PDF-2.")
        && bytes[7].is_ascii_digit();
    if !version_ok {
        return false;
    }
    let end = bytes
        .iter()
        .rposition(|b| !is_pdf_space(*b))
        .map_or(0, |i| i + 1);
    let Some(body) = bytes[..end].strip_suffix(b"%%EOF") else {
        return false;
    };
    let tail_start = body.len().saturating_sub(64);
    let Some(at) = find_last(&body[tail_start..], b"startxref").map(|i| i + tail_start) else {
        return false;
    };
    let digits: Vec<u8> = body[at + 9..]
        .iter()
        .copied()
        .filter(|b| !is_pdf_space(*b))
        .collect();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Some(offset) = std::str::from_utf8(&digits)
        .ok()
        .and_then(|d| d.parse::<usize>().ok())
        .filter(|o| *o < at)
    else {
        return false;
    };
    let section = &bytes[offset..at];
    if let Some(table) = section.strip_prefix(b"xref") {
        xref_table_is_whole(table)
    } else {
        xref_stream_is_whole(section)
    }
}

fn xref_table_is_whole(table: &[u8]) -> bool {
    let text = String::from_utf8_lossy(table);
    let Some((entries, trailer)) = text.split_once("trailer") else {
        return false;
    };
    let mut lines = entries.split(['\r', '\n']).filter(|l| !l.trim().is_empty());
    let mut subsections = 0;
    while let Some(header) = lines.next() {
        let mut parts = header.split_whitespace();
        let (Some(first), Some(count), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let (Ok(_), Ok(count)) = (first.parse::<u64>(), count.parse::<usize>()) else {
            return false;
        };
        for _ in 0..count {
            let Some(entry) = lines.next() else {
                return false;
            };
            let fields: Vec<&str> = entry.split_whitespace().collect();
            let well_formed = fields.len() == 3
                && fields[0].len() == 10
                && fields[1].len() == 5
                && fields[0]
                    .bytes()
                    .chain(fields[1].bytes())
                    .all(|b| b.is_ascii_digit())
                && matches!(fields[2], "n" | "f");
            if !well_formed {
                return false;
            }
        }
        subsections += 1;
    }
    subsections > 0 && trailer.contains("<<") && trailer.contains("/Root")
}

fn xref_stream_is_whole(section: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&section[..section.len().min(512)]);
    let mut words = head.split_whitespace();
    let object_header = matches!(
        (words.next(), words.next(), words.next()),
        (Some(n), Some(g), Some(obj)) if n.parse::<u64>().is_ok() && g.parse::<u64>().is_ok() && obj.starts_with("obj")
    );
    let compact: String = head.split_whitespace().collect();
    object_header && compact.contains("/Type/XRef")
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The signature, then chunks (length, type, data, CRC-32 over type and data) with IHDR first
/// (plausible dimensions and a valid depth and colour type), at least one IDAT, and IEND last
/// with nothing after it.
fn png_is_whole(bytes: &[u8]) -> bool {
    let mut at = 8;
    let mut first = true;
    let mut seen_data = false;
    while at + 12 <= bytes.len() {
        let length =
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let Some(end) = at.checked_add(12 + length).filter(|e| *e <= bytes.len()) else {
            return false;
        };
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + length];
        let stored = u32::from_be_bytes([
            bytes[end - 4],
            bytes[end - 3],
            bytes[end - 2],
            bytes[end - 1],
        ]);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        if crc.finalize() != stored || !kind.iter().all(u8::is_ascii_alphabetic) {
            return false;
        }
        if first && (kind != b"IHDR" || !png_header_ok(data)) {
            return false;
        }
        first = false;
        seen_data |= kind == b"IDAT";
        if kind == b"IEND" {
            return seen_data && length == 0 && end == bytes.len();
        }
        at = end;
    }
    false
}

fn png_header_ok(ihdr: &[u8]) -> bool {
    if ihdr.len() != 13 {
        return false;
    }
    let width = u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]);
    let height = u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]);
    let (depth, colour) = (ihdr[8], ihdr[9]);
    let depth_ok = match colour {
        0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(depth, 1 | 2 | 4 | 8),
        2 | 4 | 6 => matches!(depth, 8 | 16),
        _ => false,
    };
    width > 0
        && height > 0
        && u64::from(width) * u64::from(height) <= MAX_PIXELS
        && depth_ok
        && ihdr[10] == 0
        && ihdr[11] == 0
        && ihdr[12] <= 1
}

/// SOI, then marker segments with their lengths, a frame header (SOF) with non-zero
/// dimensions, a scan (SOS) whose entropy-coded data runs to EOI, and nothing after EOI.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let mut at = 2;
    let mut frame = false;
    loop {
        // Markers may be preceded by fill bytes (0xFF).
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return false;
        };
        at += 2;
        match marker {
            0xD9 => return false, // EOI before any scan
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(length) = bytes
            .get(at..at + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
            .filter(|l| *l >= 2)
        else {
            return false;
        };
        let Some(segment) = bytes.get(at + 2..at + length) else {
            return false;
        };
        if is_frame_header(marker) {
            if segment.len() < 6 {
                return false;
            }
            let height = u64::from(u16::from_be_bytes([segment[1], segment[2]]));
            let width = u64::from(u16::from_be_bytes([segment[3], segment[4]]));
            if height == 0 || width == 0 || height * width > MAX_PIXELS || segment[5] == 0 {
                return false;
            }
            frame = true;
        }
        at += length;
        if marker == 0xDA {
            return frame && scan_runs_to_eoi(&bytes[at..]);
        }
    }
}

/// SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
fn is_frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Entropy-coded data (with stuffed 0xFF00 and restart markers), further scans and tables of a
/// progressive image, until EOI at the very end.
fn scan_runs_to_eoi(data: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        match data[i + 1] {
            0x00 | 0xD0..=0xD7 | 0xFF => i += 1,
            0xD9 => return i + 2 == data.len(),
            _ => {
                // Another segment (DHT, a further SOS …): skip it by its length.
                let Some(length) = data
                    .get(i + 2..i + 4)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                    .filter(|l| *l >= 2)
                else {
                    return false;
                };
                i += 2 + length;
            }
        }
    }
    false
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal one-page PDF with a correct cross-reference table.
    pub(crate) fn pdf() -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend(kind);
        out.extend(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend(crc.finalize().to_be_bytes());
        out
    }

    /// A 1 × 1 grey PNG (the IDAT need not decompress: only the structure is checked).
    pub(crate) fn png() -> Vec<u8> {
        let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        out.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        out.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0x60, 0, 0, 0, 2, 0, 1]));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    /// A baseline JPEG skeleton: SOI, a frame header of 8 × 8, a scan, EOI.
    pub(crate) fn jpeg() -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend([
            0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        ]);
        out.extend([0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
        out.extend([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
        out.extend([0x12, 0x34, 0xFF, 0x00, 0x56]);
        out.extend([0xFF, 0xD9]);
        out
    }

    #[test]
    fn whole_files_of_each_type_pass() {
        assert_eq!(inspect(&pdf()), Ok(FileType::Pdf));
        assert_eq!(inspect(&png()), Ok(FileType::Png));
        assert_eq!(inspect(&jpeg()), Ok(FileType::Jpeg));
    }

    #[test]
    fn a_signature_followed_by_something_else_is_refused() {
        let mut png_then_elf = png()[..8].to_vec();
        png_then_elf.extend(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0");
        assert_eq!(
            inspect(&png_then_elf),
            Err(FileProblem::Damaged(FileType::Png))
        );
        assert_eq!(
            inspect(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
            Err(FileProblem::Damaged(FileType::Pdf))
        );
        assert_eq!(
            inspect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(FileProblem::Damaged(FileType::Jpeg))
        );
        assert_eq!(inspect(b"MZ\x90\x00"), Err(FileProblem::UnknownType));
    }

    #[test]
    fn anything_appended_after_the_end_is_refused() {
        let mut png = png();
        png.extend(b"PK\x03\x04 a zip");
        assert!(inspect(&png).is_err());
        let mut jpeg = jpeg();
        jpeg.extend(b"#!/bin/sh");
        assert!(inspect(&jpeg).is_err());
        let mut pdf = pdf();
        pdf.extend(b"<script>");
        assert!(inspect(&pdf).is_err());
    }

    #[test]
    fn checksums_offsets_and_dimensions_are_checked() {
        let mut bad_crc = png();
        let last = bad_crc.len() - 13;
        bad_crc[last] ^= 1;
        assert!(inspect(&bad_crc).is_err());
        let mut huge = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        huge.extend(chunk(b"IHDR", &[0, 1, 0, 0, 0, 1, 0, 0, 8, 0, 0, 0, 0]));
        huge.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0x60, 0, 0, 0, 2, 0, 1]));
        huge.extend(chunk(b"IEND", &[]));
        assert!(inspect(&huge).is_err(), "65536 × 65536 is a bomb");
        let text = String::from_utf8(pdf()).unwrap();
        let moved = text.replace("startxref\n", "startxref\n1");
        assert!(
            inspect(moved.as_bytes()).is_err(),
            "startxref points nowhere"
        );
        let mut zero = jpeg();
        zero[25..29].copy_from_slice(&[0, 0, 0, 0]);
        assert!(inspect(&zero).is_err(), "no dimensions");
    }
}
