package dev.hallmark.ledger;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One auditable event, before it is recorded. Immutable; {@code details} is copied into an unmodifiable map sorted
 * by key.
 *
 * <p>Secrets must never reach the ledger (RELIABILITY I12, T58): the constructor rejects any detail key that looks
 * like a secret (see {@link #looksSecret(String)}: password, passphrase, PIN, secret, token, HMAC or private key
 * material). Record "secret X changed" under a neutral key instead ({@code "changed": "scep.challenge"}). Values
 * cannot be screened reliably; callers must not put secrets there either.
 *
 * @param type    what happened; not null
 * @param actor   who did it (account, admin credential id, {@code system:<component>}); not blank, at most
 *                {@value #MAX_ACTOR} characters
 * @param subject what it was done to (e.g. {@code ca/serial}); not null, may be empty, at most
 *                {@value #MAX_SUBJECT} characters
 * @param details further facts; null means none; at most {@value #MAX_DETAILS} entries, keys match
 *                {@code [A-Za-z0-9_.-]{1,64}}, values at most {@value #MAX_VALUE} characters
 */
public record AuditEvent(AuditEventType type, String actor, String subject, Map<String, String> details) {

    /** Maximum actor length in characters. */
    public static final int MAX_ACTOR = 256;
    /** Maximum subject length in characters. */
    public static final int MAX_SUBJECT = 1024;
    /** Maximum number of detail entries. */
    public static final int MAX_DETAILS = 32;
    /** Maximum length of one detail value in characters. */
    public static final int MAX_VALUE = 1024;
    /** Maximum length of the canonical JSON text of all details. */
    public static final int MAX_DETAILS_JSON = 65536;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Matched anywhere in the key once case and the separators {@code _ - .} are dropped. */
    private static final String[] SECRET_WORDS = {
        "password", "passwd", "passphrase", "secret", "token", "hmac", "privatekey", "privkey", "keymaterial",
        "apikey", "eabkey"};
    /** Splits a key into words at {@code _ - .} and lower-to-upper camel-case boundaries. */
    private static final Pattern WORD_BOUNDARY = Pattern.compile("[_.-]+|(?<=[a-z0-9])(?=[A-Z])");

    /** Validates and copies; see the class description for the rules. */
    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(subject, "subject");
        if (actor.isBlank()) {
            throw new IllegalArgumentException("audit actor must not be blank");
        }
        checkText("actor", actor, MAX_ACTOR);
        checkText("subject", subject, MAX_SUBJECT);
        SortedMap<String, String> copy = new TreeMap<>();
        if (details != null) {
            if (details.size() > MAX_DETAILS) {
                throw new IllegalArgumentException("audit event has " + details.size() + " details; at most "
                        + MAX_DETAILS + " are allowed");
            }
            for (Map.Entry<String, String> e : details.entrySet()) {
                String key = e.getKey();
                if (key == null || !KEY.matcher(key).matches()) {
                    throw new IllegalArgumentException("audit detail key must match " + KEY.pattern());
                }
                if (looksSecret(key)) {
                    throw new IllegalArgumentException("audit detail key '" + key
                            + "' looks like a secret; secrets are never written to the ledger");
                }
                String value = Objects.requireNonNull(e.getValue(), () -> "audit detail '" + key + "' is null");
                checkText("detail '" + key + "'", value, MAX_VALUE);
                copy.put(key, value);
            }
        }
        if (CanonicalJson.write(copy).length() > MAX_DETAILS_JSON) {
            throw new IllegalArgumentException("audit details exceed " + MAX_DETAILS_JSON + " characters");
        }
        details = Collections.unmodifiableSortedMap(copy);
    }

    /** An event without details. */
    public AuditEvent(AuditEventType type, String actor, String subject) {
        this(type, actor, subject, Map.of());
    }

    /** The canonical JSON text of {@link #details()} as stored in the ledger and covered by the leaf hash. */
    public String detailsJson() {
        return CanonicalJson.write((SortedMap<String, String>) details);
    }

    /**
     * True when {@code key} would be rejected as secret-like: it contains (ignoring case and {@code _ - .})
     * {@code password}, {@code passwd}, {@code passphrase}, {@code secret}, {@code token}, {@code hmac},
     * {@code privatekey}, {@code privkey}, {@code keymaterial}, {@code apikey} or {@code eabkey}; or one of its
     * words (split at separators and camel case) is {@code pin}, {@code pins}, {@code pincode}, {@code pwd} or ends
     * in {@code pin} ({@code soPin}, {@code userpin}). PIN is matched by word so that keys such as
     * {@code mapping} or {@code shipping} stay allowed.
     *
     * @param key a detail key; not null
     */
    public static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(".", "");
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        for (String part : WORD_BOUNDARY.split(key)) {
            String w = part.toLowerCase(Locale.ROOT);
            if (w.endsWith("pin") || w.equals("pins") || w.equals("pincode") || w.equals("pwd")) {
                return true;
            }
        }
        return false;
    }

    private static void checkText(String what, String text, int max) {
        if (text.length() > max) {
            throw new IllegalArgumentException("audit " + what + " is longer than " + max + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == 0) {
                throw new IllegalArgumentException("audit " + what + " contains a NUL character");
            }
            if (Character.isHighSurrogate(ch) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                throw new IllegalArgumentException("audit " + what + " contains an unpaired surrogate");
            }
        }
    }
}
