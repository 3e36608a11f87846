package dev.hallmark.protocol.acme;

import dev.hallmark.authority.Identifier;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where ACME state lives: the database shared by every node (tables of migration V6), so nonces, accounts, orders
 * and rate-limit counters are valid on any node and survive restarts. Implemented by
 * {@code dev.hallmark.store.acme.JdbcAcmeStore}; the protocol package never touches SQL.
 *
 * <p>Every method is one transaction. State changes are compare-and-set ({@code from} → {@code to}) and say whether
 * they happened, so two nodes racing on one object change it once. Thread-safe.
 */
public interface AcmeStore {

    // --- nonces (RFC 8555 §6.5) ---

    /** Stores fresh nonces, all valid until {@code expires}, in one transaction (all or none). */
    void putNonces(java.util.Collection<String> nonces, Instant expires);

    /** Stores one fresh nonce valid until {@code expires}. */
    default void putNonce(String nonce, Instant expires) {
        putNonces(List.of(nonce), expires);
    }

    /** Consumes {@code nonce}: true exactly once for a stored, unexpired nonce, however many callers race. */
    boolean consumeNonce(String nonce, Instant now);

    /** Deletes nonces expired before {@code now}; returns how many. */
    int purgeNonces(Instant now);

    // --- accounts (§7.3) ---

    /**
     * Creates an account; binds {@code eabKid} to it in the same transaction when not null (single use).
     *
     * @return the account with its id
     * @throws DuplicateException when the thumbprint already has an account, or the EAB key was bound meanwhile
     */
    AcmeAccount createAccount(AcmeAccount account);

    Optional<AcmeAccount> account(long id);

    Optional<AcmeAccount> accountByThumbprint(String thumbprint);

    /** Replaces the contacts of a valid account; false when it is not valid. */
    boolean updateContacts(long id, List<String> contacts);

    /** valid → deactivated or revoked; false when it was not valid. */
    boolean deactivateAccount(long id, AcmeStatus to);

    /**
     * Key rollover (§7.3.5): replaces the key of a valid account whose current thumbprint is {@code oldThumbprint}.
     *
     * @return false when the account is not valid or its key is no longer {@code oldThumbprint}
     * @throws DuplicateException when {@code newThumbprint} belongs to another account
     */
    boolean changeKey(long id, String oldThumbprint, String newThumbprint, String newJwk);

    /** Accounts for the admin view, newest first. */
    List<AcmeAccount> accounts(int offset, int limit);

    // --- orders and authorizations (§7.4, §7.5) ---

    /**
     * Stores an order and the authorizations it creates (those it reuses already exist), in one transaction. An
     * order that {@linkplain AcmeOrder#replaces() replaces} a certificate is stored only if no other replacement of
     * it is in progress or done at the order's creation time, checked under a per-certificate lock.
     *
     * @throws DuplicateException when another replacement of the same certificate is in progress or done
     */
    void createOrder(AcmeOrder order, List<AcmeAuthorization> newAuthorizations);

    Optional<AcmeOrder> order(String id);

    /** The ids of an account's orders that are pending, ready or processing or not yet expired, newest first (§7.1.2.1). */
    List<String> orderIds(long accountId, Instant now, int offset, int limit);

    /** Orders for the admin view, newest first, optionally of one account (null: all). */
    List<AcmeOrder> orders(Long accountId, int offset, int limit);

    /** The authorizations of an order, in identifier order. */
    List<AcmeAuthorization> authorizationsOf(AcmeOrder order);

    Optional<AcmeAuthorization> authorization(String id);

    /** A valid authorization of {@code accountId} for the identifier that is still valid at {@code validUntil}. */
    Optional<AcmeAuthorization> reusableAuthorization(long accountId, Identifier identifier, boolean wildcard,
                                                      Instant validUntil);

    /** Compare-and-set of an order's stored status, recording {@code error} (JSON, or null). */
    boolean transitionOrder(String id, AcmeStatus from, AcmeStatus to, String error);

    /** pending → processing (finalize begins issuing), recording when; false when the order was not pending. */
    boolean startProcessing(String id, Instant at);

    /** Orders that entered processing before {@code before} and are still processing, oldest first. */
    List<AcmeOrder> processingSince(Instant before, int limit);

    /** processing → valid with the issued certificate. */
    boolean completeOrder(String id, String issuer, String serialHex);

    /** The order whose certificate is {@code issuer}/{@code serialHex}, if ACME issued it. */
    Optional<AcmeOrder> orderByCertificate(String issuer, String serialHex);

    /**
     * Whether an order that replaces {@code certId} is valid or still in progress at {@code now} (RFC 9773 §5: a
     * lapsed or failed order, which reads as invalid, does not count).
     */
    boolean replacementInProgress(String certId, Instant now);

    /** Compare-and-set of an authorization's status (deactivation, revocation by an operator). */
    boolean transitionAuthorization(String id, AcmeStatus from, AcmeStatus to);

    Optional<AcmeChallenge> challenge(String id);

    /** pending → processing (recording when) for a challenge whose authorization is pending; false otherwise. */
    boolean startChallenge(String challengeId, Instant at);

    /**
     * processing → pending again, for a validation the validator refused to start (overloaded): as if the request
     * that started it had not been made. False when the challenge was not processing.
     */
    boolean unstartChallenge(String challengeId);

    /** Challenges that entered processing before {@code before} and are still processing, oldest first. */
    List<AcmeChallenge> challengesProcessingSince(Instant before, int limit);

    /**
     * Records a validation result in one transaction: the challenge processing → valid or invalid; its authorization
     * pending → valid (with {@code validatedAt}, the method and the new {@code expires}) or invalid.
     *
     * @return false when the challenge was no longer processing (nothing changed)
     */
    boolean finishChallenge(ChallengeResult result);

    /**
     * The outcome of validating one challenge.
     *
     * @param challengeId   the challenge
     * @param valid         whether it validated
     * @param error         the problem document (JSON) when invalid
     * @param at            when validation finished
     * @param authzExpires  the authorization's new expiry when valid
     */
    record ChallengeResult(String challengeId, boolean valid, String error, Instant at, Instant authzExpires) {
    }

    /** Whether {@code accountId} holds a valid, unexpired authorization for each of {@code identifiers}. */
    boolean authorizedFor(long accountId, List<Identifier> identifiers, Instant now);

    // --- rate limits (§6.6) ---

    /**
     * Counts one event in {@code bucket}'s fixed window starting at {@code windowStart} unless it already holds
     * {@code limit} events. Race-free across nodes (a conditional update).
     *
     * @return true when counted (allowed), false when the window is full
     */
    boolean tryCount(String bucket, Instant windowStart, long limit);

    /** How many events {@code bucket}'s window starting at {@code windowStart} holds (0 when none). */
    long count(String bucket, Instant windowStart);

    /** The operator's limit for {@code bucket}, overriding the configured one. */
    Optional<Long> rateOverride(String bucket);

    void setRateOverride(String bucket, long limit);

    boolean removeRateOverride(String bucket);

    /** Every override, bucket → limit. */
    java.util.Map<String, Long> rateOverrides();

    /** Deletes windows that started before {@code before}. */
    int purgeRateWindows(Instant before);

    // --- external account binding keys (§7.3.4) ---

    /** @throws DuplicateException when the kid exists */
    void createEab(EabKey key);

    Optional<EabKey> eab(String kid);

    List<EabKey> eabKeys();

    /** Withdraws an unused key; false when it does not exist or was used. */
    boolean revokeEab(String kid);

    // --- ARI (RFC 9773) ---

    /**
     * Marks certificates for early renewal: one certificate ({@code serialHex}) or every certificate of
     * {@code issuer} issued before {@code at} ({@code serialHex} null).
     */
    void markRenewEarly(String issuer, String serialHex, Instant at, String reason);

    /** The latest renew-early mark that covers {@code issuer}/{@code serialHex} issued at {@code issuedAt}. */
    Optional<Instant> renewEarlySince(String issuer, String serialHex, Instant issuedAt);

    /** A write that would break a uniqueness rule (key already registered, EAB key already bound, kid taken). */
    final class DuplicateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DuplicateException(String message) {
            super(message);
        }
    }
}
