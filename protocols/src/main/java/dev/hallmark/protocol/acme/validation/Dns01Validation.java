package dev.hallmark.protocol.acme.validation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * dns-01 (RFC 8555 §8.4): a TXT record at {@code _acme-challenge.<name>} (for a wildcard, the base name) whose
 * value is {@code base64url(SHA-256(keyAuthorization))} without padding. CNAMEs are followed (delegating the
 * label to another zone is common practice), within {@link DnsClient}'s bounds. Thread-safe.
 */
final class Dns01Validation {
    private final DnsClient dns;

    Dns01Validation(DnsClient dns) {
        this.dns = dns;
    }

    /** Validates; returns normally only when a TXT string equals the expected digest. */
    void validate(String name, String keyAuthorization, AttemptContext ctx) throws ValidationFailure {
        String owner = "_acme-challenge." + name;
        String expected = expectedTxt(keyAuthorization);
        DnsClient.Answer answer = dns.lookup(owner, Type.TXT, ctx);
        if (answer.nxdomain()) {
            throw new ValidationFailure("dns", "DNS problem: NXDOMAIN looking up TXT for " + owner);
        }
        if (answer.records().isEmpty()) {
            throw new ValidationFailure("unauthorized", "no TXT record found at " + owner);
        }
        List<String> found = new ArrayList<>();
        byte[] want = expected.getBytes(StandardCharsets.US_ASCII);
        for (Record r : answer.records()) {
            // RFC 8555 §8.4 treats the record's value as one string; long values may be split into
            // several character-strings, which are concatenated as Boulder does.
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            for (byte[] part : ((TXTRecord) r).getStringsAsByteArrays()) {
                value.writeBytes(part);
            }
            if (MessageDigest.isEqual(value.toByteArray(), want)) {
                return;
            }
            found.add(ValidationFailure.quoted(value.toString(StandardCharsets.ISO_8859_1), 64));
        }
        throw new ValidationFailure("incorrectResponse", "incorrect TXT record at " + owner + ": expected \""
                + expected + "\", found " + String.join(", ", found.subList(0, Math.min(3, found.size())))
                + (found.size() > 3 ? " and " + (found.size() - 3) + " more" : ""));
    }

    /** {@code base64url(SHA-256(keyAuthorization))}, unpadded (RFC 8555 §8.4). */
    static String expectedTxt(String keyAuthorization) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(keyAuthorization));
    }

    static byte[] sha256(String keyAuthorization) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(keyAuthorization.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
