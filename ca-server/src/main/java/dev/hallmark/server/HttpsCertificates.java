package dev.hallmark.server;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.Provenance;
import dev.hallmark.authority.policy.IdentifierSyntax;
import dev.hallmark.authority.policy.PolicyDecision;
import dev.hallmark.authority.policy.Reason;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener's certificate: issued by Hallmark's own issuing CA through the ordinary issuance cycle (policy,
 * linter, ledger; channel {@code system}), for {@code localhost}, {@code 127.0.0.1}, {@code ::1}, the host name and
 * the configured {@code https.names}. Its key is a fresh P-256 key held in memory and in {@code DIR/https/key.pem}
 * (0600), so a restart reuses a certificate that is still good instead of issuing another. Renewed when two thirds
 * of its lifetime have passed; the server then swaps it in without a restart.
 */
public final class HttpsCertificates implements HttpsIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsCertificates.class);
    /** Who asks for the certificate, as recorded with it. */
    public static final String REQUESTER = "system:https-listener";

    private final Authority authority;
    private final String issuingCa;
    private final String profile;
    private final List<Identifier> wanted;
    private final Path directory;
    private final Clock clock;
    private final AtomicReference<Current> current = new AtomicReference<>();

    private record Current(String keyPem, String chainPem, Instant notBefore, Instant notAfter, String serialHex) {
    }

    /**
     * @param directory where the key and chain are kept ({@code DIR/https})
     */
    public HttpsCertificates(Authority authority, String issuingCa, ServerSettings settings, Path directory, Clock clock) {
        this.authority = authority;
        this.issuingCa = issuingCa;
        this.profile = settings.httpsProfile();
        this.wanted = names(settings.httpsNames());
        this.directory = directory;
        this.clock = clock;
    }

    /** The names asked for: loopback names, the host name when it is a valid DNS name, then the configured ones. */
    static List<Identifier> names(List<String> configured) {
        Set<Identifier> names = new LinkedHashSet<>();
        names.add(Identifier.dns("localhost"));
        names.add(Identifier.ip("127.0.0.1"));
        names.add(Identifier.ip("::1"));
        String host = hostName();
        if (host != null && IdentifierSyntax.dnsProblem(host, false).isEmpty()) {
            names.add(Identifier.dns(host));
        }
        for (String n : configured) {
            Identifier id = IdentifierSyntax.parseIpLiteral(n).isPresent() ? Identifier.ip(n) : Identifier.dns(n);
            IdentifierSyntax.problem(id).ifPresent(p -> {
                throw new dev.hallmark.config.ConfigException("https.names: '" + n + "': " + p);
            });
            names.add(id);
        }
        return List.copyOf(names);
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
            return h.equals("localhost") ? null : h;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Loads the kept certificate when it is still good (unrevoked, names unchanged, not due for renewal), otherwise
     * issues a new one. Blocking.
     *
     * @throws CaException when no certificate can be issued (the server cannot start then)
     */
    public void ensure() {
        Current kept = load();
        if (kept != null && !due(kept)) {
            current.set(kept);
            LOG.info("https certificate serial {} valid until {}", kept.serialHex(), kept.notAfter());
            return;
        }
        issue();
    }

    /**
     * Renews when two thirds of the lifetime have passed, or the certificate was revoked. Blocking; the check and
     * the issuance are one step, so concurrent callers (the periodic check, an operator) issue one certificate.
     *
     * @return whether a new certificate was issued (the listener must then be updated)
     */
    public synchronized boolean renewIfDue() {
        Current c = current.get();
        if (c != null && !due(c)) {
            return false;
        }
        issue();
        return true;
    }

    /** When the certificate in service expires. */
    public Instant notAfter() {
        return current.get().notAfter();
    }

    /** The serial (hex) of the certificate in service. */
    public String serialHex() {
        return current.get().serialHex();
    }

    @Override
    public KeyCertOptions keyCertOptions() {
        Current c = current.get();
        if (c == null) {
            throw new IllegalStateException("no HTTPS certificate yet: call ensure() first");
        }
        return new PemKeyCertOptions().setKeyValue(Buffer.buffer(c.keyPem())).setCertValue(Buffer.buffer(c.chainPem()));
    }

    private boolean due(Current c) {
        Duration life = Duration.between(c.notBefore(), c.notAfter());
        Instant renewAt = c.notBefore().plus(life.multipliedBy(2).dividedBy(3));
        if (!clock.instant().isBefore(renewAt)) {
            return true;
        }
        return isRevoked(c);
    }

    private boolean isRevoked(Current c) {
        try {
            return authority.serial(issuingCa, dev.hallmark.authority.SerialNumber.parse(c.serialHex()))
                    .map(dev.hallmark.authority.SerialRecord::isRevoked).orElse(true);
        } catch (CaException e) {
            return true;
        }
    }

    private synchronized void issue() {
        KeyPair key = newKey();
        List<Identifier> names = allowedNames(key);
        IssuedCertificate issued = authority.issue(request(key, names));
        CertificateRecord r = issued.record();
        String keyPem = pkcs8Pem(key);
        String chainPem = servedChain(issued);
        Current c = new Current(keyPem, chainPem, r.notBefore(), r.notAfter(), r.serial().hex());
        store(c);
        current.set(c);
        LOG.info("issued https certificate serial {} for {} valid until {}", r.serial().hex(), names, r.notAfter());
    }

    /**
     * The leaf and its intermediates, without the self-signed root: clients must already hold the root (sending it
     * only costs bytes in every handshake and suggests that a root received over the wire could be trusted).
     */
    static String servedChain(IssuedCertificate issued) {
        StringBuilder pem = new StringBuilder(IssuedCertificate.pem(issued.record().der()));
        for (byte[] ca : issued.chain()) {
            try {
                X509CertificateHolder h = new X509CertificateHolder(ca);
                if (!h.getSubject().equals(h.getIssuer())) {
                    pem.append(IssuedCertificate.pem(ca));
                }
            } catch (IOException e) {
                throw new IllegalStateException("a stored CA certificate does not parse", e);
            }
        }
        return pem.toString();
    }

    /** The wanted names the policy allows; a refused name is dropped with a warning, never silently. */
    private List<Identifier> allowedNames(KeyPair key) {
        List<Identifier> names = new ArrayList<>(wanted);
        PolicyDecision decision = authority.dryRun(request(key, names));
        for (Reason reason : decision.reasons()) {
            if (reason.identifier() != null && names.remove(reason.identifier())) {
                LOG.warn("https certificate: leaving out {}: {}", reason.identifier(), reason.detail());
            }
        }
        if (names.isEmpty()) {
            throw new CaException(CaException.Kind.POLICY_DENIED, "the policy refuses every name of the HTTPS certificate "
                    + wanted + "; allow one of them or set https.names to an allowed name");
        }
        return names;
    }

    private IssuanceRequest request(KeyPair key, List<Identifier> names) {
        return new IssuanceRequest(issuingCa, profile, csr(key, names), names, REQUESTER,
                new Provenance("system", "https-listener", "local", clock.instant(), null));
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate the HTTPS key", e);
        }
    }

    /** A CSR naming every identifier in its subjectAltName extension request, subject CN the first DNS name. */
    private static byte[] csr(KeyPair key, List<Identifier> names) {
        try {
            List<GeneralName> sans = new ArrayList<>();
            String cn = null;
            for (Identifier n : names) {
                if (n.type() == Identifier.Type.DNS) {
                    sans.add(new GeneralName(GeneralName.dNSName, n.value()));
                    cn = cn == null ? n.value() : cn;
                } else {
                    sans.add(new GeneralName(GeneralName.iPAddress, n.value()));
                }
            }
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans.toArray(GeneralName[]::new)));
            X500Name subject = cn == null ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0])
                    : new org.bouncycastle.asn1.x500.X500NameBuilder().addRDN(BCStyle.CN, cn).build();
            return new JcaPKCS10CertificationRequestBuilder(subject, key.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot build the HTTPS CSR", e);
        }
    }

    /** The private key as PKCS#8 PEM ({@code PRIVATE KEY}), the form Vert.x reads. */
    private static String pkcs8Pem(KeyPair key) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key.getPrivate(), null));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    private void store(Current c) {
        try {
            Files.createDirectories(directory);
            write(directory.resolve("key.pem"), c.keyPem());
            write(directory.resolve("chain.pem"), c.chainPem());
        } catch (IOException e) {
            // The listener still works; the next start issues again.
            LOG.warn("cannot keep the https certificate in {}: {}", directory, e.getMessage());
        }
    }

    private static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The kept certificate if it is from the configured CA, matches the kept key and names every wanted name the
     * policy allows; otherwise null.
     */
    private Current load() {
        Path keyFile = directory.resolve("key.pem");
        Path chainFile = directory.resolve("chain.pem");
        if (!Files.isRegularFile(keyFile) || !Files.isRegularFile(chainFile)) {
            return null;
        }
        try {
            String keyPem = Files.readString(keyFile, StandardCharsets.US_ASCII);
            String chainPem = Files.readString(chainFile, StandardCharsets.US_ASCII);
            List<X509CertificateHolder> chain = Pem.certificates(chainPem);
            if (chain.isEmpty()) {
                return null;
            }
            X509CertificateHolder leaf = chain.get(0);
            X509CertificateHolder issuer = new X509CertificateHolder(authority.signingCa(issuingCa).record().certificateDer());
            // The names to expect are those the policy allows now: a refused name was left out at issuance, and
            // asking for it again would issue a new certificate at every start.
            if (!leaf.getIssuer().equals(issuer.getSubject()) || !Pem.publicKeyMatches(keyPem, leaf)
                    || !Pem.identifiers(leaf).containsAll(allowedNames(newKey()))) {
                return null;
            }
            return new Current(keyPem, chainPem, leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(),
                    new dev.hallmark.authority.SerialNumber(leaf.getSerialNumber()).hex());
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring the kept https certificate in {}: {}", directory, e.getMessage());
            return null;
        }
    }
}
