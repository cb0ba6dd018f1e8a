//! The naming rule for generated identifiers.
//!
//! One rule for acronyms: an acronym is a word like any other, so only its first letter
//! stays upper case in type names (`VPC` → `Vpc`, `DNSName` → `DnsName`) and it is all
//! lower case in field names (`dns_name`). A plural acronym stays one word (`ARNs` →
//! `Arns`, `arns`). `IPv4`/`IPv6`, `GiB`/`MiB` are single words.

/// Splits an identifier or value into words.
pub fn words(s: &str) -> Vec<String> {
    let s = s
        .replace("IPv6", "Ipv6")
        .replace("IPv4", "Ipv4")
        .replace("GiB", "Gib")
        .replace("MiB", "Mib");
    let chars: Vec<char> = s.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if !cur.is_empty() && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let split = if prev.is_ascii_lowercase() || prev.is_ascii_digit() {
                true
            } else if prev.is_ascii_uppercase() {
                match next {
                    // `ARNs`, `IDs`: a plural acronym is one word.
                    Some('s') if after.is_none_or(|a| !a.is_ascii_lowercase()) => false,
                    Some(n) => n.is_ascii_lowercase(),
                    None => false,
                }
            } else {
                false
            };
            if split {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn capitalize(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    let mut cs = lower.chars();
    match cs.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
        None => String::new(),
    }
}

/// `UpperCamelCase` type or variant name.
pub fn pascal(s: &str) -> String {
    let mut out = String::new();
    for w in words(s) {
        // Keep digit groups apart: `x86_64` → `X86_64`, not `X8664`.
        if out.ends_with(|c: char| c.is_ascii_digit())
            && w.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        out.push_str(&capitalize(&w));
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
    "true", "try", "type", "unsafe", "use", "where", "while", "yield", "abstract", "become", "do",
    "final", "macro", "override", "typeof", "unsized", "virtual",
];

/// `snake_case` field, module or method name; Rust keywords get a trailing `_`.
pub fn snake(s: &str) -> String {
    let mut out = words(s)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_table() {
        // (schema name, type name, field name)
        let table = [
            ("VPC", "Vpc", "vpc"),
            (
                "VPCGatewayAttachment",
                "VpcGatewayAttachment",
                "vpc_gateway_attachment",
            ),
            ("EIP", "Eip", "eip"),
            ("DNSName", "DnsName", "dns_name"),
            (
                "CanonicalHostedZoneID",
                "CanonicalHostedZoneId",
                "canonical_hosted_zone_id",
            ),
            (
                "VPCZoneIdentifier",
                "VpcZoneIdentifier",
                "vpc_zone_identifier",
            ),
            ("TargetGroupARNs", "TargetGroupArns", "target_group_arns"),
            ("OKActions", "OkActions", "ok_actions"),
            ("Ipv6CidrBlocks", "Ipv6CidrBlocks", "ipv6_cidr_blocks"),
            ("IPv6Address", "Ipv6Address", "ipv6_address"),
            ("S3BucketName", "S3BucketName", "s3_bucket_name"),
            (
                "AwsvpcConfiguration",
                "AwsvpcConfiguration",
                "awsvpc_configuration",
            ),
            (
                "MemoryGiBPerVCpu",
                "MemoryGibPerVCpu",
                "memory_gib_per_v_cpu",
            ),
            ("SSEAlgorithm", "SseAlgorithm", "sse_algorithm"),
            ("TTL", "Ttl", "ttl"),
            ("Type", "Type", "type_"),
            ("FARGATE_SPOT", "FargateSpot", "fargate_spot"),
            ("application/json", "ApplicationJson", "application_json"),
            (
                "dualstack-without-public-ipv4",
                "DualstackWithoutPublicIpv4",
                "dualstack_without_public_ipv4",
            ),
            ("x86_64", "X86_64", "x86_64"),
            ("t2.micro", "T2Micro", "t2_micro"),
            ("1", "V1", "_1"),
            ("", "Empty", ""),
        ];
        for (input, ty, field) in table {
            assert_eq!((input, pascal(input)), (input, ty.to_owned()));
            assert_eq!((input, snake(input)), (input, field.to_owned()));
        }
    }
}
