package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.protocol.acme.AcmeReplies.Reply;
import dev.hallmark.protocol.acme.validation.Validator;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Authorizations and challenges (RFC 8555 §7.5, §7.5.1, §7.5.2, §8). */
final class AuthorizationHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationHandlers.class);
    private final AcmeServices s;

    AuthorizationHandlers(AcmeServices services) {
        this.s = services;
    }

    /** POST /acme/authz/:id — read (POST-as-GET) or deactivate. */
    Reply authorization(RoutingContext ctx, AcmeRequest req) {
        AcmeAuthorization a = owned(ctx.pathParam("id"), req);
        Instant now = s.clock().instant();
        if (!req.jws().postAsGet()) {
            ObjectNode p = req.jws().payloadObject();
            if (!"deactivated".equals(AcmeJson.text(p, "status", "the payload"))) {
                throw AcmeProblem.malformed("an authorization's status can only be set to 'deactivated'");
            }
            AcmeStatus st = a.statusAt(now);
            if (st != AcmeStatus.PENDING && st != AcmeStatus.VALID
                    || !s.store().transitionAuthorization(a.id(), a.status(), AcmeStatus.DEACTIVATED)) {
                throw AcmeProblem.malformed("only a pending or valid authorization can be deactivated; this one is "
                        + st.label());
            }
            a = s.store().authorization(a.id()).orElseThrow();
        }
        return Reply.ok(AcmeViews.authorization(a, now, req.urls())).location(req.urls().authorization(a.id()));
    }

    private AcmeAuthorization owned(String id, AcmeRequest req) {
        AcmeAccount account = req.requireAccount();
        AcmeAuthorization a = s.store().authorization(id).orElseThrow(() -> AcmeProblem.notFound("no such authorization"));
        if (a.accountId() != account.id()) {
            throw AcmeProblem.unauthorized("the authorization belongs to another account");
        }
        return a;
    }

    /**
     * POST /acme/chall/:id — an empty object starts validation (§7.5.1), a POST-as-GET reads the challenge.
     * Validation runs on the validator's own pool; the answer says {@code processing} at once.
     */
    Reply challenge(RoutingContext ctx, AcmeRequest req) {
        AcmeAccount account = req.requireAccount();
        AcmeChallenge c = s.store().challenge(ctx.pathParam("id")).orElseThrow(() -> AcmeProblem.notFound("no such challenge"));
        AcmeAuthorization a = owned(c.authzId(), req);
        if (!req.jws().postAsGet()) {
            req.jws().payloadObject(); // §7.5.1: the payload is an (empty) JSON object; members are ignored
            if (c.status() == AcmeStatus.PENDING) {
                start(account, a, c, req.urls().account(account.id()));
                c = s.store().challenge(c.id()).orElseThrow();
            }
        }
        return Reply.ok(AcmeViews.challenge(c, req.urls())).link(req.urls().authorization(a.id()), "up")
                .location(req.urls().challenge(c.id()));
    }

    private void start(AcmeAccount account, AcmeAuthorization a, AcmeChallenge c, String accountUrl) {
        Instant now = s.clock().instant();
        if (a.statusAt(now) != AcmeStatus.PENDING) {
            if (s.store().challenge(c.id()).map(x -> x.status() != AcmeStatus.PENDING).orElse(false)) {
                return; // a concurrent POST validated it meanwhile: answer its current state, as for a retry
            }
            throw AcmeProblem.malformed("the authorization is " + a.statusAt(now).label() + "; only a pending one can be validated");
        }
        String failures = "account:" + account.id() + ":failed-validations";
        s.limiter().check("failedValidationsPerAccount", failures, s.settings().limits().failedValidationsPerAccount());
        if (!s.store().startChallenge(c.id(), now)) {
            return; // another request started it (or another challenge of this authorization finished it)
        }
        String keyAuthorization = c.token() + "." + account.thumbprint(); // RFC 8555 §8.1
        long started = System.nanoTime();
        Validator.Attempt attempt = new Validator.Attempt(a.identifier(), a.wildcard(), c.type(), c.token(), keyAuthorization);
        CompletableFuture<Validator.Outcome> outcome = s.validator().validate(attempt);
        if (outcome.isCompletedExceptionally()) {
            // Refused on submission (the validator's queue is full, or it is closing): nothing was attempted, so the
            // challenge goes back to pending and the client is told to retry, instead of it being failed.
            s.store().unstartChallenge(c.id());
            throw AcmeProblem.unavailable("the validation authority is busy; post to the challenge again shortly");
        }
        if (s.settings().validation().caaEnabled()) {
            Validator.CaaRequest caaRequest = new Validator.CaaRequest(accountUrl, c.type()); // RFC 8657
            outcome = outcome.thenCompose(o -> o.valid() ? s.validator().checkCaa(a.identifier(), a.wildcard(), caaRequest)
                    .thenApply(caa -> caa.valid() ? o : caa) : CompletableFuture.completedFuture(o));
        }
        outcome.whenComplete((o, failure) -> finish(c, a, failures, o, failure, Duration.ofNanos(System.nanoTime() - started)));
    }

    private void finish(AcmeChallenge c, AcmeAuthorization a, String failures, Validator.Outcome o, Throwable failure,
                        Duration took) {
        try {
            if (failure != null) {
                // The validator could not run it (no thread before the deadline, or closing): the target was never
                // judged, so this is the server's failure and does not count against the account's failure limit.
                LOG.warn("validation of challenge {} could not be run: {}", c.id(), failure.toString());
                failUnjudged(s, c, a.identifier().value() + ": the validation could not be run (the validation authority"
                        + " was overloaded or stopping); create a new order");
                s.metrics().validation(c.type(), false, "serverInternal", took);
                return;
            }
            Instant at = s.clock().instant();
            String error = o.valid() ? null : AcmeJson.write(AcmeReplies.body(AcmeProblem.of(o.problemType(), 403,
                    a.identifier().value() + ": " + o.detail()), null));
            boolean stored = s.store().finishChallenge(new AcmeStore.ChallengeResult(c.id(), o.valid(), error, at,
                    at.plus(s.settings().authzReuse().isZero() ? s.settings().orderLifetime() : s.settings().authzReuse())));
            s.metrics().validation(c.type(), o.valid(), o.problemType(), took);
            if (stored && !o.valid()) {
                s.limiter().record(failures);
            }
        } catch (RuntimeException e) {
            LOG.error("cannot record the validation result of challenge {}", c.id(), e);
        }
    }

    /**
     * Ends a processing challenge as invalid with {@code serverInternal}: its validation was never judged (RFC 8555
     * §7.1.6 has no way back from processing once a client may be polling). Its authorization becomes invalid too.
     *
     * @return whether this call ended it (false when it was no longer processing)
     */
    static boolean failUnjudged(AcmeServices s, AcmeChallenge c, String detail) {
        String error = AcmeJson.write(AcmeReplies.body(AcmeProblem.of("serverInternal", 500, detail), null));
        return s.store().finishChallenge(new AcmeStore.ChallengeResult(c.id(), false, error, s.clock().instant(), null));
    }
}
