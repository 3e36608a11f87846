package dev.hallmark.protocol.acme.validation;

import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.policy.IdentifierSyntax;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACME validation authority: runs one challenge attempt (RFC 8555 §8) or a CAA check (RFC 8659) and reports
 * the outcome. Called by the ACME server after a client POSTs to a challenge.
 *
 * <p>Threading: never blocks the caller. Work runs on the validator's own fixed pool of
 * {@link ValidationSettings#threads()} daemon threads named {@code hallmark-acme-va-N}, with a bounded queue.
 * Each returned future completes within {@link ValidationSettings#timeout()} of the call, whatever the remote
 * side does: when the deadline fires the future completes with a {@code connection} (or {@code dns}) failure and
 * the attempt's sockets are closed, so the thread is freed too (T21). Futures complete on a VA thread; a Vert.x
 * caller should hop back to its own context before touching request state.
 *
 * <p>The outcome is a result, not an exception: an invalid challenge completes normally with
 * {@code valid == false}. The future completes exceptionally only when the VA itself cannot run the attempt:
 * {@link RejectedExecutionException} when the queue is full, when no thread became free before the deadline, or
 * when the validator is closed (none of these is the target's fault: leave the challenge {@code processing} and
 * retry, or answer 503), or an unexpected bug (logged). It never yields {@code valid} by default. Metrics are the
 * caller's. Thread-safe.
 */
public final class Validator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Validator.class);
    /** RFC 8555 §8.1: a token is base64url; the bound keeps URLs and logs small. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private static final Pattern KEY_AUTHORIZATION = Pattern.compile("[A-Za-z0-9_-]{1,256}\\.[A-Za-z0-9_-]{1,128}");

    private final ValidationSettings settings;
    private final ThreadPoolExecutor pool;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<CompletableFuture<Outcome>> inflight = ConcurrentHashMap.newKeySet();
    private final Http01Validation http01;
    private final Dns01Validation dns01;
    private final TlsAlpn01Validation tlsAlpn01;
    private final CaaCheck caa;

    /**
     * Starts the pool. The DNS server is fixed here: with a null resolver, the system's is read once.
     *
     * @param settings how to reach out, not null
     */
    public Validator(ValidationSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        DnsClient dns = new DnsClient(settings.dnsResolver());
        TargetConnector connector = new TargetConnector(dns, settings.denyNetworks());
        this.http01 = new Http01Validation(connector, settings.http01Port(), settings.tlsAlpn01Port());
        this.dns01 = new Dns01Validation(dns);
        this.tlsAlpn01 = new TlsAlpn01Validation(connector, settings.tlsAlpn01Port());
        this.caa = new CaaCheck(dns, settings.caaIdentities());
        // A bounded queue: under a flood, callers get a fast rejection instead of an unbounded backlog (T65).
        this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity(settings.threads())), daemons("hallmark-acme-va-", true));
        this.timer = new ScheduledThreadPoolExecutor(1, daemons("hallmark-acme-va-timer", false));
        this.timer.setRemoveOnCancelPolicy(true);
        LOG.info("ACME validation authority started: {} threads, deadline {} ms, DNS {}, {} denied networks, CAA {}",
                settings.threads(), settings.timeout().toMillis(), dns.server(), settings.denyNetworks().size(),
                settings.caaEnabled() ? settings.caaIdentities() : "off");
    }

    /**
     * Runs one challenge attempt: http-01 (RFC 8555 §8.3), dns-01 (§8.4) or tls-alpn-01 (RFC 8737), for IP
     * identifiers as RFC 8738 allows (http-01 and tls-alpn-01 only). Wildcards (RFC 8555 §7.1.3) may only use
     * dns-01. Requests that can never succeed (wrong combination, bad token) complete at once with
     * {@code malformed} or {@code rejectedIdentifier}, without using the pool.
     *
     * @param attempt what to validate, not null
     * @return the outcome, completed within the configured timeout; see the class comment for exceptional results
     */
    public CompletableFuture<Outcome> validate(Attempt attempt) {
        Objects.requireNonNull(attempt, "attempt");
        Optional<Outcome> refused = precheck(attempt);
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(refused.get());
        }
        Identifier id = attempt.identifier();
        return submit(attempt.type() + " " + (attempt.wildcard() ? "*." : "") + id, ctx -> {
            switch (attempt.type()) {
                case "http-01" -> http01.validate(id, attempt.token(), attempt.keyAuthorization(), ctx);
                case "dns-01" -> dns01.validate(id.value(), attempt.keyAuthorization(), ctx);
                case "tls-alpn-01" -> tlsAlpn01.validate(id, attempt.keyAuthorization(), ctx);
                default -> throw new IllegalStateException("precheck let through " + attempt.type());
            }
        });
    }

    /**
     * Checks CAA without knowing the account or the validation method: the same as
     * {@link #checkCaa(Identifier, boolean, CaaRequest)} with {@link CaaRequest#UNKNOWN}, so a property carrying
     * {@code accounturi} or {@code validationmethods} (RFC 8657) never authorizes. Prefer the three-argument form.
     *
     * @param identifier the name, not null; for a wildcard without the {@code *.} prefix
     * @param wildcard   whether the certificate will carry {@code *.<identifier>} (then {@code issuewild} applies)
     * @return the outcome, completed within the configured timeout
     */
    public CompletableFuture<Outcome> checkCaa(Identifier identifier, boolean wildcard) {
        return checkCaa(identifier, wildcard, CaaRequest.UNKNOWN);
    }

    /**
     * Checks CAA for a DNS identifier (RFC 8659 §3-4, BR 3.2.2.8), honouring the {@code accounturi} and
     * {@code validationmethods} parameters of RFC 8657 against {@code request}. Always valid when CAA is disabled
     * and for IP identifiers (CAA is defined for DNS names only). Refusal, including by a malformed property value,
     * gives {@code caa}; a lookup failure gives {@code dns}, since CAA fails closed.
     *
     * @param identifier the name, not null; for a wildcard without the {@code *.} prefix
     * @param wildcard   whether the certificate will carry {@code *.<identifier>} (then {@code issuewild} applies)
     * @param request    the account and validation method issuance is for, not null
     * @return the outcome, completed within the configured timeout
     */
    public CompletableFuture<Outcome> checkCaa(Identifier identifier, boolean wildcard, CaaRequest request) {
        Objects.requireNonNull(identifier, "identifier");
        Objects.requireNonNull(request, "request");
        if (!settings.caaEnabled() || identifier.type() == Identifier.Type.IP) {
            return CompletableFuture.completedFuture(Outcome.ok(List.of()));
        }
        Optional<String> problem = identifier.type() == Identifier.Type.DNS
                ? IdentifierSyntax.dnsProblem(identifier.value(), false) : Optional.of("not a DNS identifier");
        if (problem.isPresent()) {
            return CompletableFuture.completedFuture(Outcome.fail("rejectedIdentifier",
                    "cannot check CAA for " + identifier + ": " + problem.get()));
        }
        return submit("caa " + (wildcard ? "*." : "") + identifier,
                ctx -> caa.check(identifier.value(), wildcard, request, ctx));
    }

    /**
     * Stops the pool. Attempts still queued or running complete exceptionally with
     * {@link RejectedExecutionException}; their sockets are closed. Idempotent.
     */
    @Override
    public void close() {
        pool.shutdownNow();
        timer.shutdownNow();
        for (CompletableFuture<Outcome> f : List.copyOf(inflight)) {
            f.completeExceptionally(new RejectedExecutionException("validator closed"));
        }
    }

    /** The work of one attempt: returns normally when valid, throws {@link ValidationFailure} when not. */
    private interface Work {
        void run(AttemptContext ctx) throws ValidationFailure;
    }

    private CompletableFuture<Outcome> submit(String what, Work work) {
        AttemptContext ctx = new AttemptContext(settings.timeout());
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        inflight.add(result);
        result.whenComplete((outcome, error) -> {
            // However it ended (valid, invalid, deadline, cancel, close), nothing stays open.
            inflight.remove(result);
            ctx.abort();
            if (outcome != null) {
                LOG.debug("{}: {}", what, outcome);
            }
        });
        try {
            ScheduledFuture<?> deadline = timer.schedule(() -> {
                if (!ctx.started()) {
                    // Never got a thread: the VA is overloaded, which says nothing about the target.
                    result.completeExceptionally(new RejectedExecutionException(
                            "no validation thread became free within " + settings.timeout().toMillis() + " ms"));
                    return;
                }
                ValidationFailure late = ctx.timedOut();
                result.complete(Outcome.fail(late.problemType(), late.detail(), ctx.contacted()));
            }, settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            result.whenComplete((o, e) -> deadline.cancel(false));
            pool.execute(() -> run(what, work, ctx, result));
        } catch (RejectedExecutionException e) {
            LOG.warn("{}: validation refused, the VA queue is full or closed", what);
            result.completeExceptionally(e);
        }
        return result;
    }

    private static void run(String what, Work work, AttemptContext ctx, CompletableFuture<Outcome> result) {
        ctx.start();
        if (result.isDone()) {
            return; // timed out in the queue, or closed
        }
        try {
            work.run(ctx);
            result.complete(Outcome.ok(ctx.contacted()));
        } catch (ValidationFailure f) {
            result.complete(Outcome.fail(f.problemType(), f.detail(), ctx.contacted()));
        } catch (RuntimeException e) {
            if (!result.isDone()) {
                LOG.warn("{}: validation failed unexpectedly", what, e);
            }
            result.completeExceptionally(e);
        }
    }

    private static Optional<Outcome> precheck(Attempt a) {
        Identifier id = a.identifier();
        switch (id.type()) {
            case DNS -> {
                Optional<String> problem = IdentifierSyntax.dnsProblem(id.value(), false);
                if (problem.isPresent()) {
                    return Optional.of(Outcome.fail("rejectedIdentifier", "cannot validate " + id + ": "
                            + problem.get()));
                }
            }
            case IP -> {
                if (IdentifierSyntax.ipProblem(id.value()).isPresent()) {
                    return Optional.of(Outcome.fail("rejectedIdentifier", "cannot validate " + id
                            + ": not a canonical IP address"));
                }
                if (a.wildcard()) {
                    return Optional.of(Outcome.fail("malformed", "an IP identifier cannot be a wildcard"));
                }
            }
            default -> {
                return Optional.of(Outcome.fail("rejectedIdentifier", "identifier type " + id.type().label()
                        + " cannot be validated by ACME challenges"));
            }
        }
        if (!TOKEN.matcher(a.token()).matches()) {
            return Optional.of(Outcome.fail("malformed", "challenge token is not base64url"));
        }
        if (!KEY_AUTHORIZATION.matcher(a.keyAuthorization()).matches()
                || !a.keyAuthorization().startsWith(a.token() + ".")) {
            return Optional.of(Outcome.fail("malformed", "key authorization is not token.thumbprint"));
        }
        switch (a.type()) {
            case "http-01", "tls-alpn-01" -> {
                if (a.wildcard()) { // RFC 8555 §7.1.3 and BR 3.2.2.4.19/.20: wildcards need dns-01
                    return Optional.of(Outcome.fail("malformed", a.type() + " cannot validate a wildcard; use dns-01"));
                }
            }
            case "dns-01" -> {
                if (id.type() == Identifier.Type.IP) { // RFC 8738 §7: no dns-01 for IP identifiers
                    return Optional.of(Outcome.fail("malformed", "dns-01 cannot validate an IP identifier"));
                }
            }
            default -> {
                return Optional.of(Outcome.fail("malformed", "unsupported challenge type "
                        + ValidationFailure.quoted(a.type(), 32)));
            }
        }
        return Optional.empty();
    }

    /** Attempts that may wait for a thread; beyond that, {@link #validate} fails fast. */
    static int queueCapacity(int threads) {
        return Math.max(64, threads * 32);
    }

    private static ThreadFactory daemons(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * One challenge attempt.
     *
     * @param identifier       type DNS or IP, value normalised; for a wildcard without the {@code *.} prefix
     * @param wildcard         whether the order names {@code *.<identifier>}
     * @param type             {@code http-01}, {@code dns-01} or {@code tls-alpn-01}
     * @param token            the challenge token (base64url, RFC 8555 §8.1)
     * @param keyAuthorization {@code token + "." + base64url(JWK thumbprint)} (RFC 8555 §8.1)
     */
    public record Attempt(Identifier identifier, boolean wildcard, String type, String token,
                          String keyAuthorization) {
        public Attempt {
            Objects.requireNonNull(identifier, "identifier");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(keyAuthorization, "keyAuthorization");
        }
    }

    /**
     * What a CAA check is for, as far as the parameters of RFC 8657 ask: which ACME account, which validation
     * method. A null component is unknown: a property carrying the matching parameter then does not authorize.
     *
     * @param accountUri       the ACME account URL exactly as this server names it (the {@code kid} of RFC 8555
     *                         §6.2, {@code AcmeUrls.account(id)}), compared verbatim with {@code accounturi}; or null
     * @param validationMethod the ACME challenge type that validates (or validated) the identifier, such as
     *                         {@code http-01}, {@code dns-01} or {@code tls-alpn-01}, looked up in
     *                         {@code validationmethods}; or null
     */
    public record CaaRequest(String accountUri, String validationMethod) {
        /** Nothing known: only properties without {@code accounturi} and {@code validationmethods} authorize. */
        public static final CaaRequest UNKNOWN = new CaaRequest(null, null);
    }

    /**
     * The result of an attempt: valid, or invalid with an RFC 8555 §6.7 problem type short name
     * ({@code connection}, {@code dns}, {@code incorrectResponse}, {@code tls}, {@code unauthorized}, {@code caa},
     * {@code malformed}, {@code rejectedIdentifier}) and a one-line detail safe to show the client.
     *
     * @param valid       whether control was proven (or CAA allows issuance)
     * @param problemType null when valid, else one of {@link #PROBLEM_TYPES}
     * @param detail      null when valid, else a one-line explanation (remote content is quoted and escaped)
     * @param addresses   the {@code address:port} endpoints contacted, for the record (empty for DNS-only checks)
     */
    public record Outcome(boolean valid, String problemType, String detail, List<String> addresses) {
        /** The problem types a failed outcome may carry. */
        public static final Set<String> PROBLEM_TYPES = Set.of("connection", "dns", "incorrectResponse", "tls",
                "unauthorized", "caa", "malformed", "rejectedIdentifier");
        private static final int MAX_DETAIL = 512;

        public Outcome {
            addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
            if (valid && (problemType != null || detail != null)) {
                throw new IllegalArgumentException("a valid outcome has no problem");
            }
            if (!valid) {
                if (!PROBLEM_TYPES.contains(problemType)) {
                    throw new IllegalArgumentException("unknown problem type " + problemType);
                }
                Objects.requireNonNull(detail, "detail");
                // One line, bounded: details are built from remote input and end up in problem documents and logs.
                detail = detail.replaceAll("[\\r\\n\\t]+", " ");
                if (detail.length() > MAX_DETAIL) {
                    detail = detail.substring(0, MAX_DETAIL) + "...";
                }
            }
        }

        /** A valid outcome. */
        public static Outcome ok(List<String> addresses) {
            return new Outcome(true, null, null, addresses);
        }

        /** An invalid outcome that contacted nothing. */
        public static Outcome fail(String type, String detail) {
            return new Outcome(false, type, detail, List.of());
        }

        /** An invalid outcome. */
        public static Outcome fail(String type, String detail, List<String> addresses) {
            return new Outcome(false, type, detail, addresses);
        }

        /** The full problem type URN ({@code urn:ietf:params:acme:error:<type>}, RFC 8555 §6.7), or null if valid. */
        public String problemUrn() {
            return valid ? null : "urn:ietf:params:acme:error:" + problemType;
        }
    }
}
