package dev.hallmark.authority;

import dev.hallmark.authority.profile.Profile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;

/**
 * Step 2 of the issuance cycle: the profile shapes the to-be-signed certificate. Every field comes from the
 * profile, the issuing CA and the validated identifiers; from the CSR only the public key and (where the profile
 * says so) the CN. Times are whole seconds; dates before 2050 encode as UTCTime, later as GeneralizedTime
 * (RFC 5280 4.1.2.5, done by BouncyCastle's {@link Time}).
 */
public final class CertificateShaper {
    /** id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1). */
    public static final ASN1ObjectIdentifier OCSP_NOCHECK = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.48.1.5");
    private static final int MAX_CN = 64;

    private CertificateShaper() {
    }

    /**
     * Shapes an end-entity certificate. notAfter is capped at the issuer's notAfter.
     *
     * @param ca          the issuing CA
     * @param profile     the profile
     * @param csr         the checked CSR (public key and CN)
     * @param identifiers the validated identifiers, in order
     * @param serial      the serial
     * @param now         issuance time
     */
    public static TBSCertificate leaf(SigningCa ca, Profile profile, CertificationRequest csr, List<Identifier> identifiers,
                                      SerialNumber serial, Instant now) {
        return leaf(ca, profile, csr, identifiers, serial, now, DistributionUrls.NONE);
    }

    /**
     * Shapes an end-entity certificate whose AIA and CRL distribution points come from {@code urls} where the profile
     * names none; see {@link #leaf(SigningCa, Profile, CertificationRequest, List, SerialNumber, Instant)}.
     */
    public static TBSCertificate leaf(SigningCa ca, Profile profile, CertificationRequest csr, List<Identifier> identifiers,
                                      SerialNumber serial, Instant now, DistributionUrls urls) {
        Instant start = now.truncatedTo(ChronoUnit.SECONDS).minus(profile.backdate());
        Instant end = now.truncatedTo(ChronoUnit.SECONDS).plus(profile.validity());
        Instant caStart = ca.certificate().getNotBefore().toInstant();
        if (start.isBefore(caStart)) {
            start = caStart; // backdating never reaches before the issuer's own validity (RFC 5280 6.1.3)
        }
        Instant caEnd = ca.certificate().getNotAfter().toInstant();
        if (end.isAfter(caEnd)) {
            end = caEnd;
        }
        if (!end.isAfter(now)) {
            throw new CaException(CaException.Kind.POLICY_DENIED, "CA '" + ca.name() + "' has expired or expires now");
        }
        String cn = commonName(profile, csr.commonName(), identifiers);
        X500Name subject = cn == null ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0])
                : new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
        SubjectPublicKeyInfo spki = csr.subjectPublicKeyInfo();
        try {
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int ku = 0;
            boolean rsa = spki.getAlgorithm().getAlgorithm().equals(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.rsaEncryption);
            for (Profile.KeyUsageBit bit : profile.keyUsage()) {
                if (bit == Profile.KeyUsageBit.KEY_ENCIPHERMENT && !rsa) {
                    continue; // RSA key transport only (RFC 8813 for EC; BR 7.1.2.7.11)
                }
                ku |= bit.mask();
            }
            ext.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
            if (!profile.extendedKeyUsage().isEmpty()) {
                ext.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(profile.extendedKeyUsage()
                        .stream().map(Profile.ExtendedKeyUsage::purpose).toArray(KeyPurposeId[]::new)));
            }
            ext.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(KeyIdentifiers.of(spki)));
            ext.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(ca.keyIdentifier()));
            if (!identifiers.isEmpty()) {
                ext.addExtension(Extension.subjectAlternativeName, cn == null, generalNames(identifiers));
            }
            addDistribution(ext, profile, ca.name(), serial, urls);
            if (profile.ocspNoCheck()) {
                ext.addExtension(OCSP_NOCHECK, false, DERNull.INSTANCE);
            }
            return tbs(ca.issuerKey(), serial, subject, spki, start, end, ext);
        } catch (IOException e) {
            throw new CaException(CaException.Kind.INTERNAL, "cannot encode extensions", e);
        }
    }

    /**
     * Shapes a CA certificate: a self-signed root when {@code issuer.certificate()} is null, else a subordinate.
     *
     * @param pathLength basicConstraints pathLenConstraint, or null for none
     */
    public static TBSCertificate ca(IssuerKey issuer, X500Name subject, SubjectPublicKeyInfo spki, Integer pathLength,
                                    SerialNumber serial, Instant now, Duration validity) {
        return ca(issuer, subject, spki, pathLength, serial, now, validity, DistributionUrls.NONE);
    }

    /**
     * As {@link #ca(IssuerKey, X500Name, SubjectPublicKeyInfo, Integer, SerialNumber, Instant, Duration)}; a subordinate
     * CA's certificate also names, when {@code urls} are configured, its parent's OCSP responder and certificate (AIA)
     * and its parent's complete CRL (CDP), so relying parties can check the intermediate too (RFC 5280 4.2.1.13).
     */
    public static TBSCertificate ca(IssuerKey issuer, X500Name subject, SubjectPublicKeyInfo spki, Integer pathLength,
                                    SerialNumber serial, Instant now, Duration validity, DistributionUrls urls) {
        Instant start = now.truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
        Instant end = now.truncatedTo(ChronoUnit.SECONDS).plus(validity);
        if (issuer.certificate() != null && end.isAfter(issuer.certificate().getNotAfter().toInstant())) {
            end = issuer.certificate().getNotAfter().toInstant();
        }
        try {
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.basicConstraints, true,
                    pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength));
            ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            byte[] ski = KeyIdentifiers.of(spki);
            ext.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
            if (issuer.certificate() != null) {
                SubjectKeyIdentifier parent = SubjectKeyIdentifier.fromExtensions(issuer.certificate().getExtensions());
                byte[] aki = parent != null ? parent.getKeyIdentifier() : KeyIdentifiers.of(issuer.certificate().getSubjectPublicKeyInfo());
                ext.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(aki));
                if (urls.configured()) {
                    ext.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(new AccessDescription[] {
                            new AccessDescription(AccessDescription.id_ad_ocsp, uri(urls.ocsp(), issuer.name())),
                            new AccessDescription(AccessDescription.id_ad_caIssuers, uri(urls.caIssuers(issuer.name()), issuer.name()))}));
                    ext.addExtension(Extension.cRLDistributionPoints, false,
                            distributionPoints(List.of(urls.completeCrl(issuer.name())), issuer.name()));
                }
            }
            return tbs(issuer, serial, subject, spki, start, end, ext, issuer.certificate() == null ? subject : null);
        } catch (IOException e) {
            throw new CaException(CaException.Kind.INTERNAL, "cannot encode extensions", e);
        }
    }

    private static TBSCertificate tbs(IssuerKey issuer, SerialNumber serial, X500Name subject, SubjectPublicKeyInfo spki,
                                      Instant start, Instant end, ExtensionsGenerator ext) {
        return tbs(issuer, serial, subject, spki, start, end, ext, null);
    }

    private static TBSCertificate tbs(IssuerKey issuer, SerialNumber serial, X500Name subject, SubjectPublicKeyInfo spki,
                                      Instant start, Instant end, ExtensionsGenerator ext, X500Name selfIssuer) {
        V3TBSCertificateGenerator g = new V3TBSCertificateGenerator();
        g.setSerialNumber(new ASN1Integer(serial.value()));
        g.setSignature(issuer.algorithm().algorithmIdentifier());
        g.setIssuer(selfIssuer != null ? selfIssuer : X500Name.getInstance(issuer.certificate().getSubject().toASN1Primitive()));
        g.setStartDate(new Time(Date.from(start)));
        g.setEndDate(new Time(Date.from(end)));
        g.setSubject(subject);
        g.setSubjectPublicKeyInfo(spki);
        g.setExtensions(ext.generate());
        return g.generateTBSCertificate();
    }

    /** The subject CN the profile asks for, or null for none. */
    static String commonName(Profile profile, String requested, List<Identifier> identifiers) {
        switch (profile.commonName()) {
            case NONE:
                return null;
            case REQUESTED:
                if (requested == null || requested.isBlank()) {
                    throw new CaException(CaException.Kind.BAD_CSR, "profile '" + profile.name() + "' needs a commonName in the CSR");
                }
                if (requested.length() > MAX_CN) {
                    throw new CaException(CaException.Kind.BAD_CSR, "commonName is longer than " + MAX_CN + " characters");
                }
                checkCommonNameText(requested);
                return requested;
            case REQUESTED_IF_IN_SANS:
                if (requested != null) {
                    for (Identifier id : identifiers) {
                        if (id.value().equalsIgnoreCase(requested.trim()) && id.value().length() <= MAX_CN) {
                            return id.value();
                        }
                    }
                }
                return firstSan(identifiers);
            case FIRST_SAN:
            default:
                return firstSan(identifiers);
        }
    }

    /**
     * A CN copied from a CSR is untrusted text that ends up in logs, UIs and relying parties' displays: only visible
     * letters, digits, spaces and ordinary punctuation; no control, format (bidi) or private-use characters, no
     * markup characters, no leading or trailing space.
     */
    static void checkCommonNameText(String cn) {
        if (!cn.equals(cn.strip())) {
            throw new CaException(CaException.Kind.BAD_CSR, "commonName must not start or end with white space");
        }
        for (int i = 0; i < cn.length(); ) {
            int cp = cn.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            boolean ok = Character.isLetterOrDigit(cp) || cp == ' ' || "-_.,:;'()+/=@&#*!?".indexOf(cp) >= 0;
            if (!ok || type == Character.FORMAT || type == Character.CONTROL || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE || type == Character.UNASSIGNED) {
                throw new CaException(CaException.Kind.BAD_CSR, String.format(
                        "commonName contains the character U+%04X, which is not accepted", cp));
            }
        }
    }

    private static String firstSan(List<Identifier> identifiers) {
        for (Identifier id : identifiers) {
            if ((id.type() == Identifier.Type.DNS || id.type() == Identifier.Type.IP) && id.value().length() <= MAX_CN) {
                return id.value();
            }
        }
        return null;
    }

    /** subjectAltName GeneralNames for identifiers (IP addresses as octets). */
    public static GeneralNames generalNames(List<Identifier> identifiers) {
        List<GeneralName> names = new ArrayList<>();
        for (Identifier id : identifiers) {
            names.add(switch (id.type()) {
                case DNS -> new GeneralName(GeneralName.dNSName, id.value());
                case EMAIL -> new GeneralName(GeneralName.rfc822Name, id.value());
                case URI -> new GeneralName(GeneralName.uniformResourceIdentifier, id.value());
                case IP -> new GeneralName(GeneralName.iPAddress, new DEROctetString(ipOctets(id.value())));
            });
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static byte[] ipOctets(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new CaException(CaException.Kind.REJECTED_IDENTIFIER, "'" + ip + "' is not an IP address");
        }
    }

    private static void addDistribution(ExtensionsGenerator ext, Profile profile, String ca, SerialNumber serial,
                                        DistributionUrls urls) throws IOException {
        // A responder certificate with ocsp-nocheck is never checked for revocation (RFC 6960 4.2.2.2.1), so it
        // carries no OCSP or CRL pointers of its own unless its profile insists.
        boolean stamp = urls.configured() && !profile.ocspNoCheck();
        List<String> ocsp = !profile.ocspUrls().isEmpty() ? profile.ocspUrls() : stamp ? List.of(urls.ocsp()) : List.of();
        List<String> caIssuers = !profile.caIssuersUrls().isEmpty() ? profile.caIssuersUrls()
                : urls.configured() ? List.of(urls.caIssuers(ca)) : List.of();
        List<String> crl = !profile.crlUrls().isEmpty() ? profile.crlUrls() : stamp ? List.of(urls.crlFor(ca, serial)) : List.of();
        List<AccessDescription> aia = new ArrayList<>();
        for (String u : ocsp) {
            aia.add(new AccessDescription(AccessDescription.id_ad_ocsp, uri(u, ca)));
        }
        for (String u : caIssuers) {
            aia.add(new AccessDescription(AccessDescription.id_ad_caIssuers, uri(u, ca)));
        }
        if (!aia.isEmpty()) {
            ext.addExtension(Extension.authorityInfoAccess, false,
                    new AuthorityInformationAccess(aia.toArray(AccessDescription[]::new)));
        }
        if (!crl.isEmpty()) {
            ext.addExtension(Extension.cRLDistributionPoints, false, distributionPoints(crl, ca));
        }
        if (stamp && urls.delta() && profile.crlUrls().isEmpty()) {
            ext.addExtension(Extension.freshestCRL, false, distributionPoints(List.of(urls.deltaCrl(ca)), ca));
        }
    }

    private static CRLDistPoint distributionPoints(List<String> urls, String ca) {
        return new CRLDistPoint(urls.stream().map(u -> new DistributionPoint(
                new DistributionPointName(new GeneralNames(uri(u, ca))), null, null)).toArray(DistributionPoint[]::new));
    }

    private static GeneralName uri(String template, String ca) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, template.replace("{ca}", ca));
    }
}
