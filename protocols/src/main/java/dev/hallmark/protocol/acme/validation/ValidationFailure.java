package dev.hallmark.protocol.acme.validation;

/**
 * Why an attempt failed, as an RFC 8555 §6.7 problem type short name and a one-line detail. Internal: thrown
 * through the challenge code and turned into a {@link Validator.Outcome} at the top, so the deep code need not
 * thread outcomes back by hand. No stack trace: it is an expected result, not a bug.
 */
final class ValidationFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final String problemType;

    ValidationFailure(String problemType, String detail) {
        super(detail, null, false, false);
        this.problemType = problemType;
    }

    String problemType() {
        return problemType;
    }

    String detail() {
        return getMessage();
    }

    /**
     * Remote content (a body, a TXT string, a header) made safe to quote in a detail: double-quoted, non-printable
     * and non-ASCII characters escaped, cut at {@code max} characters, so an attacker cannot forge log lines or
     * inflate problem documents.
     */
    static String quoted(CharSequence remote, int max) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < remote.length(); i++) {
            if (i == max) {
                sb.append("...");
                break;
            }
            char c = remote.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else if (c <= 0xff) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append('"').toString();
    }
}
