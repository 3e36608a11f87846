package dev.hallmark.authority;

import java.util.List;
import java.util.Objects;

/**
 * The one exception type of the authority core. Each protocol maps {@link Kind} to its own error exactly once
 * (ACME problem type, EST HTTP status, SCEP failInfo, OCSP response status); see {@code docs/ERRORS.md}.
 * Details are safe to show to the client except for {@link Kind#INTERNAL}, whose detail stays in the log.
 */
public final class CaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A closed set of failure kinds; adding one means adding its mapping in every protocol. */
    public enum Kind {
        /** The input could not be parsed or is structurally invalid. */
        MALFORMED,
        /** The CSR is unparseable, its signature (proof of possession) is bad, or it asks for something refused. */
        BAD_CSR,
        /** The public key is of a refused type, too small, or weak (BR 6.1.1.3). */
        BAD_PUBLIC_KEY,
        /** A signature algorithm that is not accepted (MD5, SHA-1, unknown). */
        BAD_SIGNATURE_ALGORITHM,
        /** An identifier (DNS name, IP, email, URI) is outside policy. */
        REJECTED_IDENTIFIER,
        /** The caller is not allowed to do this. */
        UNAUTHORIZED,
        /** No such CA, profile, certificate or serial. */
        NOT_FOUND,
        /** The certificate is already revoked (and the request does not raise the reason to keyCompromise). */
        ALREADY_REVOKED,
        /** A revocation reason that is not allowed (certificateHold, removeFromCRL, unknown). */
        BAD_REVOCATION_REASON,
        /** The request conflicts with existing state (duplicate init, existing key alias). */
        CONFLICT,
        RATE_LIMITED,
        /** Policy refused the request; the exception's subproblems hold the reasons. */
        POLICY_DENIED,
        PENDING_APPROVAL,
        /** The to-be-signed certificate failed the linter; nothing was signed. */
        LINT_FAILED,
        /** The crypto token cannot sign now (lost, logged out, HSM down); retry later. */
        TOKEN_UNAVAILABLE,
        /** The audit ledger cannot be written, so signing stopped (fail closed); retry later. */
        LEDGER_UNAVAILABLE,
        /** Anything else. The detail is logged, never shown. */
        INTERNAL
    }

    /**
     * One reason among several, e.g. one per refused identifier (ACME subproblems).
     *
     * @param kind       what went wrong with this part
     * @param identifier the identifier concerned, or null
     * @param detail     a human-readable sentence
     */
    public record Subproblem(Kind kind, Identifier identifier, String detail) {
        public Subproblem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }
    }

    private final Kind kind;
    private final List<Subproblem> subproblems;

    public CaException(Kind kind, String detail) {
        this(kind, detail, List.of(), null);
    }

    public CaException(Kind kind, String detail, Throwable cause) {
        this(kind, detail, List.of(), cause);
    }

    public CaException(Kind kind, String detail, List<Subproblem> subproblems) {
        this(kind, detail, subproblems, null);
    }

    public CaException(Kind kind, String detail, List<Subproblem> subproblems, Throwable cause) {
        super(detail, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.subproblems = List.copyOf(subproblems);
    }

    public Kind kind() {
        return kind;
    }

    /** The sentence describing the failure (what {@link #getMessage()} returns). */
    public String detail() {
        return getMessage();
    }

    public List<Subproblem> subproblems() {
        return subproblems;
    }
}
