package dev.hallmark.protocol.acme;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.Identifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An ACME error (RFC 8555 §6.7): thrown anywhere below a handler, answered once by {@link AcmeReplies#problem} as
 * {@code application/problem+json} with a fresh {@code Replay-Nonce}. The one mapping from the core's
 * {@link CaException.Kind} to ACME problem types is {@link #of(CaException)}.
 */
public final class AcmeProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The URN namespace of every ACME problem type (RFC 8555 §6.7). */
    public static final String NAMESPACE = "urn:ietf:params:acme:error:";

    private final String type;
    private final int status;
    private final transient List<Sub> subproblems;
    private final transient Duration retryAfter;
    private final transient List<String> algorithms;
    private final String location;

    /**
     * One subproblem of a compound error (RFC 8555 §6.7.1).
     *
     * @param type       the short type ({@code rejectedIdentifier})
     * @param detail     what is wrong with this identifier
     * @param identifier the identifier, or null
     */
    public record Sub(String type, String detail, Identifier identifier) {
    }

    private AcmeProblem(String type, int status, String detail, List<Sub> subproblems, Duration retryAfter,
                        List<String> algorithms, String location) {
        super(Objects.requireNonNull(detail, "detail"), null, false, false);
        this.type = Objects.requireNonNull(type, "type");
        this.status = status;
        this.subproblems = List.copyOf(subproblems);
        this.retryAfter = retryAfter;
        this.algorithms = List.copyOf(algorithms);
        this.location = location;
    }

    /** A problem of {@code type} (short form, e.g. {@code malformed}) with HTTP {@code status}. */
    public static AcmeProblem of(String type, int status, String detail) {
        return new AcmeProblem(type, status, detail, List.of(), null, List.of(), null);
    }

    public static AcmeProblem malformed(String detail) {
        return of("malformed", 400, detail);
    }

    public static AcmeProblem unauthorized(String detail) {
        return of("unauthorized", 403, detail);
    }

    /**
     * A request from an account that is not valid (deactivated or revoked): RFC 8555 §7.3.6 makes this 401
     * {@code unauthorized}, unlike the 403 for a request the account may not make.
     */
    public static AcmeProblem accountNotValid(String detail) {
        return of("unauthorized", 401, detail);
    }

    /** {@code serverInternal} 503 with {@code Retry-After}: the server cannot do it now, nothing was changed. */
    public static AcmeProblem unavailable(String detail) {
        return new AcmeProblem("serverInternal", 503, detail, List.of(), Duration.ofSeconds(5), List.of(), null);
    }

    public static AcmeProblem notFound(String detail) {
        return of("malformed", 404, detail);
    }

    /** {@code badSignatureAlgorithm} with the accepted algorithms (RFC 8555 §6.2). */
    public static AcmeProblem badSignatureAlgorithm(String detail, List<String> accepted) {
        return new AcmeProblem("badSignatureAlgorithm", 400, detail, List.of(), null, accepted, null);
    }

    /** {@code rateLimited} (429) with {@code Retry-After} (RFC 8555 §6.6). */
    public static AcmeProblem rateLimited(String detail, Duration retryAfter) {
        return new AcmeProblem("rateLimited", 429, detail, List.of(), retryAfter, List.of(), null);
    }

    /** A problem whose answer carries {@code Location} (409 for a key that already has an account, §7.3.5). */
    public static AcmeProblem withLocation(String type, int status, String detail, String location) {
        return new AcmeProblem(type, status, detail, List.of(), null, List.of(), location);
    }

    /**
     * Several problems with identifiers: the single subproblem's type when there is one kind, else
     * {@code compound} (RFC 8555 §6.7.1).
     */
    public static AcmeProblem compound(String detail, List<Sub> subs) {
        String type = subs.stream().map(Sub::type).distinct().count() == 1 ? subs.get(0).type() : "compound";
        return new AcmeProblem(type, 400, detail, subs, null, List.of(), null);
    }

    /** The ACME problem for a failure of the core. */
    public static AcmeProblem of(CaException e) {
        List<Sub> subs = new ArrayList<>();
        for (CaException.Subproblem s : e.subproblems()) {
            subs.add(new Sub(type(s.kind()), s.detail(), s.identifier()));
        }
        String type = type(e.kind());
        int status = switch (e.kind()) {
            case UNAUTHORIZED, POLICY_DENIED, PENDING_APPROVAL -> 403;
            case NOT_FOUND -> 404;
            case RATE_LIMITED -> 429;
            case TOKEN_UNAVAILABLE, LEDGER_UNAVAILABLE -> 503;
            case LINT_FAILED, INTERNAL -> 500;
            default -> 400;
        };
        if (subs.stream().map(Sub::type).distinct().count() > 1) {
            type = "compound";
        }
        return new AcmeProblem(type, status, firstLine(e.detail()), subs,
                status == 503 ? Duration.ofSeconds(5) : null, List.of(), null);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The ACME type for a core failure kind. */
    static String type(CaException.Kind kind) {
        return switch (kind) {
            case MALFORMED, NOT_FOUND, CONFLICT -> "malformed";
            case BAD_CSR, LINT_FAILED -> "badCSR";
            case BAD_PUBLIC_KEY -> "badPublicKey";
            case BAD_SIGNATURE_ALGORITHM -> "badSignatureAlgorithm";
            case REJECTED_IDENTIFIER, POLICY_DENIED -> "rejectedIdentifier";
            case UNAUTHORIZED, PENDING_APPROVAL -> "unauthorized";
            case ALREADY_REVOKED -> "alreadyRevoked";
            case BAD_REVOCATION_REASON -> "badRevocationReason";
            case RATE_LIMITED -> "rateLimited";
            case TOKEN_UNAVAILABLE, LEDGER_UNAVAILABLE, INTERNAL -> "serverInternal";
        };
    }

    /** The short type, e.g. {@code badNonce}. */
    public String type() {
        return type;
    }

    public int status() {
        return status;
    }

    public List<Sub> subproblems() {
        return subproblems;
    }

    /** How long a client should wait, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The accepted signature algorithms of a {@code badSignatureAlgorithm} problem, else empty. */
    public List<String> algorithms() {
        return algorithms;
    }

    /** A {@code Location} to send with the problem, or null. */
    public String location() {
        return location;
    }
}
