package dev.hallmark.authority;

import dev.hallmark.authority.policy.PolicyDecision;
import dev.hallmark.authority.policy.PolicyEngine;
import dev.hallmark.authority.policy.PolicyRequest;
import dev.hallmark.authority.profile.Profile;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The authority core's façade: every caller (CLI today; admin API, ACME, EST and SCEP later) issues and revokes
 * through here, so one policy engine decides everything (RELIABILITY I7). Plain synchronous Java with no HTTP;
 * the issuance cycle itself is in {@link Issuer} and {@code docs/ISSUANCE-CYCLE.md}.
 *
 * <p>Thread-safe. Blocking (JDBC, token): callers on an event loop must hop to a worker pool first.
 */
public final class Authority {
    private final CertificateStore store;
    private final CryptoToken token;
    private final Issuer issuer;
    private final Revocations revocations;
    private final PolicyEngine policy;
    private final ProfileCatalog profiles;
    private final Clock clock;
    private final DistributionUrls urls;
    private final Map<String, SigningCa> signingCas = new ConcurrentHashMap<>();
    private final AtomicReference<String> halted = new AtomicReference<>();
    private final List<AuthorityObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param store    durable state
     * @param token    the token holding CA keys (a {@link dev.hallmark.hsm.VerifyingToken})
     * @param issuer   the issuance cycle
     * @param policy   the one policy engine
     * @param profiles the certificate profiles
     */
    public Authority(CertificateStore store, CryptoToken token, Issuer issuer, PolicyEngine policy, ProfileCatalog profiles) {
        this(store, token, issuer, policy, profiles, DistributionUrls.NONE);
    }

    /**
     * @param urls where issued certificates point relying parties for revocation and CA certificates
     */
    public Authority(CertificateStore store, CryptoToken token, Issuer issuer, PolicyEngine policy, ProfileCatalog profiles,
                     DistributionUrls urls) {
        this.urls = java.util.Objects.requireNonNull(urls, "urls");
        this.store = store;
        this.token = token;
        this.issuer = issuer;
        this.policy = policy;
        this.profiles = profiles;
        this.clock = issuer.clock();
        this.revocations = new Revocations(store, clock);
    }

    /**
     * Issues an end-entity certificate: step 1 (policy) and step 2 (profile shapes the certificate) here, steps
     * 3–7 in {@link Issuer#issue}. Content comes from the profile and the validated identifiers only; from the CSR
     * only the public key and, where the profile allows, the CN (RELIABILITY I5).
     *
     * @return the stored and audited certificate with its chain
     * @throws CaException {@code MALFORMED}, {@code BAD_CSR}, {@code BAD_PUBLIC_KEY},
     *                     {@code BAD_SIGNATURE_ALGORITHM}, {@code REJECTED_IDENTIFIER}, {@code POLICY_DENIED},
     *                     {@code NOT_FOUND} (CA or profile), {@code LINT_FAILED}, {@code TOKEN_UNAVAILABLE},
     *                     {@code LEDGER_UNAVAILABLE}, {@code INTERNAL}; nothing is issued then
     */
    public IssuedCertificate issue(IssuanceRequest request) {
        IssuedCertificate issued;
        try {
            issued = issueObserved(request);
        } catch (CaException e) {
            observers.forEach(o -> o.refused(request, e.kind()));
            throw e;
        } catch (RuntimeException e) {
            observers.forEach(o -> o.refused(request, CaException.Kind.INTERNAL));
            throw e;
        }
        observers.forEach(o -> o.issued(request, issued.record()));
        return issued;
    }

    /** Registers an observer of issuance and revocation outcomes (metrics). */
    public void addObserver(AuthorityObserver observer) {
        observers.add(java.util.Objects.requireNonNull(observer, "observer"));
    }

    private IssuedCertificate issueObserved(IssuanceRequest request) {
        refuseWhenHalted();
        // Step 1: policy. Parse and check the CSR, pick the identifiers, ask the one policy engine.
        Checked checked = check(request);
        checked.decision().enforce();
        SigningCa ca = checked.ca();
        Profile profile = checked.profile();
        CertificationRequest csr = checked.csr();
        List<Identifier> identifiers = checked.identifiers();
        String spkiSha256 = checked.spkiSha256();
        // A key blocked for keyCompromise is refused in step 4, inside the intent's transaction (CertificateStore.reserve).
        // Step 2: the profile shapes the to-be-signed certificate for each serial the issuer draws.
        return issuer.issue(serial -> new PreparedCertificate(ca.issuerKey(), serial,
                CertificateShaper.leaf(ca, profile, csr, identifiers, serial, clock.instant(), urls), profile, profile.name(),
                profile.version(), identifiers, spkiSha256, request.requester(), request.provenance()));
    }

    /**
     * The policy dry-run: would {@code request} be issued, and why not. Never signs, never writes.
     *
     * @throws CaException {@code MALFORMED}/{@code BAD_CSR}/... when the CSR itself cannot be used, and
     *                     {@code NOT_FOUND} for an unknown CA or profile
     */
    public PolicyDecision dryRun(IssuanceRequest request) {
        Checked checked = check(request);
        if (store.isBlocked(checked.spkiSha256())) {
            throw new CaException(CaException.Kind.BAD_PUBLIC_KEY,
                    "this public key was revoked for keyCompromise and is never certified again");
        }
        return checked.decision();
    }

    private Checked check(IssuanceRequest request) {
        Profile profile = profiles.get(request.profile());
        if (!profile.allowsChannel(request.provenance().channel())) {
            throw new CaException(CaException.Kind.UNAUTHORIZED, "profile '" + profile.name()
                    + "' may not be used through " + request.provenance().channel() + " (allowed: " + profile.channels() + ")");
        }
        SigningCa ca = signingCa(request.ca());
        if (ca.record().parentName() == null) {
            throw new CaException(CaException.Kind.POLICY_DENIED, "'" + ca.name() + "' is a root CA; roots do not sign "
                    + "end-entity certificates (BR 6.1.7): use an issuing CA");
        }
        refuseRevokedChain(ca);
        CertificationRequest csr = CertificationRequest.parse(request.csr());
        List<Identifier> identifiers = identifiers(request, csr, profile);
        String spkiSha256 = KeyIdentifiers.spkiSha256(csr.subjectPublicKeyInfo());
        if (spkiSha256.equals(KeyIdentifiers.spkiSha256(ca.certificate().getSubjectPublicKeyInfo()))) {
            throw new CaException(CaException.Kind.BAD_PUBLIC_KEY, "the CSR carries the issuing CA's own public key");
        }
        PolicyDecision decision = policy.evaluate(new PolicyRequest(profile, csr, identifiers, profile.validity()));
        return new Checked(ca, profile, csr, identifiers, spkiSha256, decision);
    }

    /** How long a "chain not revoked" answer is reused before the database is asked again (other nodes revoke too). */
    private static final long CHAIN_CHECK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    /** When each CA's chain was last found unrevoked, and under which revocation generation. */
    private final Map<String, ChainCheck> chainChecks = new ConcurrentHashMap<>();
    /** Raised after every revocation through this authority; older chain checks are then void. */
    private final java.util.concurrent.atomic.AtomicLong revocationGeneration = new java.util.concurrent.atomic.AtomicLong();

    private record ChainCheck(long nanoTime, long generation) {
    }

    /**
     * A CA whose own certificate, or an ancestor's, is revoked signs nothing more (RFC 5280 6.1.3, I8). A revocation
     * made through this authority takes effect at once; one made on another node within {@link #CHAIN_CHECK_NANOS}.
     */
    private void refuseRevokedChain(SigningCa ca) {
        long generation = revocationGeneration.get();
        ChainCheck checked = chainChecks.get(ca.name());
        if (checked != null && checked.generation() == generation && System.nanoTime() - checked.nanoTime() < CHAIN_CHECK_NANOS) {
            return;
        }
        long now = System.nanoTime();
        for (CaRecord r : lineage(ca.record())) {
            String namespace = r.parentName() == null ? r.name() : r.parentName();
            store.serial(namespace, r.serial()).filter(SerialRecord::isRevoked).ifPresent(s -> {
                throw new CaException(CaException.Kind.POLICY_DENIED, "the certificate of CA '" + r.name()
                        + "' was revoked at " + s.revokedAt() + " (" + s.revocationReason().rfcName()
                        + "); '" + ca.name() + "' issues nothing more");
            });
        }
        // Stamped with the generation read before the database: a revocation committed meanwhile voids it.
        chainChecks.put(ca.name(), new ChainCheck(now, generation));
    }

    private record Checked(SigningCa ca, Profile profile, CertificationRequest csr, List<Identifier> identifiers,
                           String spkiSha256, PolicyDecision decision) {
    }

    /**
     * The identifiers to certify. With validated identifiers (ACME) the CSR must ask for exactly that set
     * (RFC 8555 7.4, RELIABILITY I5); otherwise the CSR's SANs are taken and the policy engine alone decides.
     */
    private static List<Identifier> identifiers(IssuanceRequest request, CertificationRequest csr, Profile profile) {
        if (request.identifiers().isEmpty()) {
            if (csr.identifiers().isEmpty() && csr.commonName() != null && profile.sanRequired()) {
                // A CN-only CSR ('openssl req -subj /CN=host'): the CN is the one name asked for. It becomes the SAN
                // (RFC 5280 4.2.1.6; BR 7.1.4.3) and goes through the same policy checks as any other name.
                Identifier fromCn = commonNameAsIdentifier(csr.commonName().trim());
                if (fromCn != null && profile.sanTypes().contains(fromCn.type())) {
                    return List.of(fromCn);
                }
            }
            return csr.identifiers();
        }
        Set<Identifier> validated = new HashSet<>(request.identifiers());
        Set<Identifier> requested = new HashSet<>(csr.identifiers());
        if (!validated.equals(requested)) {
            throw new CaException(CaException.Kind.BAD_CSR, "the CSR's subjectAltNames " + requested
                    + " differ from the validated identifiers " + validated);
        }
        return request.identifiers();
    }

    private static Identifier commonNameAsIdentifier(String cn) {
        var ip = dev.hallmark.authority.policy.IdentifierSyntax.parseIpLiteral(cn);
        if (ip.isPresent()) {
            return Identifier.ip(dev.hallmark.authority.policy.IdentifierSyntax.canonicalIp(ip.get()));
        }
        Identifier dns = Identifier.dns(cn);
        return dev.hallmark.authority.policy.IdentifierSyntax.dnsProblem(dns.value(), true).isEmpty() ? dns : null;
    }

    /**
     * Revokes a certificate or an "outcome unknown" serial (RELIABILITY I8).
     *
     * @see Revocations#revoke
     */
    public SerialRecord revoke(RevocationRequest request) {
        SerialRecord revoked;
        try {
            signingCaRecord(request.ca());
            revoked = revocations.revoke(request);
        } catch (CaException e) {
            observers.forEach(o -> o.revocationRefused(request, e.kind()));
            throw e;
        } catch (RuntimeException e) {
            observers.forEach(o -> o.revocationRefused(request, CaException.Kind.INTERNAL));
            throw e;
        }
        revocationGeneration.incrementAndGet(); // the serial may be a CA's own certificate
        observers.forEach(o -> o.revoked(request));
        return revoked;
    }

    /**
     * Stops every issuance at once (RELIABILITY I13) until {@link #resume()}; revocation keeps working.
     *
     * @param why shown to every refused caller
     */
    public void halt(String why) {
        halted.set(why == null || why.isBlank() ? "issuance is halted by an operator" : why);
    }

    /** Lifts {@link #halt}. */
    public void resume() {
        halted.set(null);
    }

    private void refuseWhenHalted() {
        String why = halted.get();
        if (why != null) {
            throw new CaException(CaException.Kind.POLICY_DENIED, "issuance is halted: " + why);
        }
    }

    /** When the soonest-expiring valid end-entity certificate expires (for the expiry metric). */
    public Optional<Instant> soonestLeafExpiry() {
        return store.soonestLeafExpiry(clock.instant());
    }

    /** Every CA, roots first. */
    public List<CaRecord> cas() {
        return store.cas();
    }

    /**
     * The CA called {@code name} ready to sign: its certificate, key reference and chain to the root.
     *
     * @throws CaException {@code NOT_FOUND} for an unknown CA or a key missing from the token
     */
    public SigningCa signingCa(String name) {
        SigningCa cached = signingCas.get(name);
        if (cached != null) {
            return cached;
        }
        SigningCa loaded = load(name);
        signingCas.putIfAbsent(name, loaded);
        return loaded;
    }

    private SigningCa load(String name) {
        CaRecord record = signingCaRecord(name);
        KeyRef key = token.find(record.keyAlias()).orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND,
                "the key '" + record.keyAlias() + "' of CA '" + name + "' is not in token '" + token.name() + "'"));
        List<X509CertificateHolder> chain = new ArrayList<>();
        for (CaRecord r : lineage(record)) {
            chain.add(holder(r));
        }
        // The key in the token must be the CA certificate's key: a replaced or regenerated key under the same
        // alias would sign certificates that chain nowhere (RELIABILITY T52).
        byte[] tokenSpki = token.publicKey(key).getEncoded();
        byte[] certSpki;
        try {
            certSpki = chain.get(0).getSubjectPublicKeyInfo().getEncoded();
        } catch (IOException e) {
            throw new CaException(CaException.Kind.INTERNAL, "certificate of CA '" + name + "' cannot be encoded", e);
        }
        if (!java.security.MessageDigest.isEqual(tokenSpki, certSpki)) {
            throw new CaException(CaException.Kind.TOKEN_UNAVAILABLE, "the key '" + record.keyAlias() + "' in token '"
                    + token.name() + "' is not the key of CA '" + name + "'s certificate; refusing to sign with it");
        }
        return new SigningCa(record, chain.get(0), key, chain);
    }

    /**
     * DER of CA {@code name}'s certificate followed by its ancestors' up to the root, read from the store only (it
     * works while the token is offline).
     *
     * @throws CaException {@code NOT_FOUND} for an unknown CA
     */
    public List<byte[]> signingCaChain(String name) {
        return lineage(signingCaRecord(name)).stream().map(CaRecord::certificateDer).toList();
    }

    private List<CaRecord> lineage(CaRecord record) {
        List<CaRecord> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        CaRecord current = record;
        while (current != null) {
            if (!seen.add(current.name())) {
                throw new CaException(CaException.Kind.INTERNAL, "CA hierarchy has a cycle at '" + current.name() + "'");
            }
            out.add(current);
            String parent = current.parentName();
            current = parent == null ? null : store.ca(parent).orElseThrow(() -> new CaException(
                    CaException.Kind.INTERNAL, "CA '" + record.name() + "' names a missing parent '" + parent + "'"));
        }
        return out;
    }

    private CaRecord signingCaRecord(String name) {
        return store.ca(name).orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "no CA '" + name
                + "'; CAs: " + String.join(", ", store.cas().stream().map(CaRecord::name).toList())));
    }

    private static X509CertificateHolder holder(CaRecord record) {
        try {
            return new X509CertificateHolder(record.certificateDer());
        } catch (IOException e) {
            throw new CaException(CaException.Kind.INTERNAL, "stored certificate of CA '" + record.name() + "' does not parse", e);
        }
    }

    /** The stored certificate {@code serial} of CA {@code ca}. */
    public Optional<CertificateRecord> certificate(String ca, SerialNumber serial) {
        return store.certificate(ca, serial);
    }

    /** The serial's authoritative record, with or without a stored certificate (RELIABILITY I9). */
    public Optional<SerialRecord> serial(String ca, SerialNumber serial) {
        return store.serial(ca, serial);
    }

    /** Serials whose revocation status changed at or after {@code since} (the OCSP change feed), at most {@code max}. */
    public List<SerialRecord> statusChangedSince(Instant since, int max) {
        return store.statusChangedSince(since, max);
    }

    /**
     * Streams every serial of CA {@code ca} that is not aborted and expires after {@code notAfterFrom} (only revoked
     * ones when {@code revokedOnly}): what OCSP pre-signing and CRLs are built from, including "outcome unknown"
     * serials (RELIABILITY I9).
     */
    public void forEachLiveSerial(String ca, Instant notAfterFrom, boolean revokedOnly,
                                  java.util.function.Consumer<SerialRecord> consumer) {
        store.forEachLive(ca, notAfterFrom, revokedOnly, consumer);
    }

    /** Streams what CA {@code ca}'s CRLs list: revoked, non-aborted serials expiring after {@code notAfterFrom}. */
    public void forEachRevoked(String ca, Instant notAfterFrom, java.util.function.Consumer<RevokedSerial> consumer) {
        store.forEachRevoked(ca, notAfterFrom, consumer);
    }

    /** Certificates matching {@code query}, newest first. */
    public List<CertificateRecord> search(CertificateQuery query) {
        return store.search(query, clock.instant());
    }

    /** The distribution URLs stamped into certificates and CRLs. */
    public DistributionUrls distributionUrls() {
        return urls;
    }

    /** The profiles this authority issues under. */
    public ProfileCatalog profiles() {
        return profiles;
    }

    /** The policy engine (for dry-runs and the reconciler). */
    public PolicyEngine policy() {
        return policy;
    }

    /** Now, by the authority's clock. */
    public Instant now() {
        return clock.instant();
    }
}
