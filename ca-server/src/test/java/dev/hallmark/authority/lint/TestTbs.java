package dev.hallmark.authority.lint;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V1TBSCertificateGenerator;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;

/**
 * A mutable copy of a to-be-signed certificate, for breaking exactly one thing: {@code TestTbs.of(clean).serial(1).build()}.
 */
final class TestTbs {
    int version = 3;
    ASN1Integer serial;
    AlgorithmIdentifier signature;
    X500Name issuer;
    Time notBefore;
    Time notAfter;
    X500Name subject;
    SubjectPublicKeyInfo spki;
    final Map<ASN1ObjectIdentifier, Extension> extensions = new LinkedHashMap<>();

    static TestTbs of(TBSCertificate tbs) {
        TestTbs t = new TestTbs();
        t.version = tbs.getVersionNumber();
        t.serial = tbs.getSerialNumber();
        t.signature = tbs.getSignature();
        t.issuer = tbs.getIssuer();
        t.notBefore = tbs.getStartDate();
        t.notAfter = tbs.getEndDate();
        t.subject = tbs.getSubject();
        t.spki = tbs.getSubjectPublicKeyInfo();
        Extensions e = tbs.getExtensions();
        if (e != null) {
            for (ASN1ObjectIdentifier oid : e.getExtensionOIDs()) {
                t.extensions.put(oid, e.getExtension(oid));
            }
        }
        return t;
    }

    TestTbs version(int v) {
        version = v;
        return this;
    }

    TestTbs serial(BigInteger v) {
        serial = new ASN1Integer(v);
        return this;
    }

    TestTbs signature(AlgorithmIdentifier a) {
        signature = a;
        return this;
    }

    TestTbs issuer(X500Name n) {
        issuer = n;
        return this;
    }

    TestTbs subject(X500Name n) {
        subject = n;
        return this;
    }

    TestTbs key(SubjectPublicKeyInfo k) {
        spki = k;
        return this;
    }

    TestTbs notBefore(Instant i) {
        notBefore = new Time(Date.from(i));
        return this;
    }

    TestTbs notAfter(Instant i) {
        notAfter = new Time(Date.from(i));
        return this;
    }

    TestTbs notBefore(Time t) {
        notBefore = t;
        return this;
    }

    Instant notBeforeInstant() {
        return notBefore.getDate().toInstant();
    }

    Instant notAfterInstant() {
        return notAfter.getDate().toInstant();
    }

    /** Adds or replaces an extension. */
    TestTbs ext(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            extensions.put(oid, new Extension(oid, critical, new DEROctetString(value)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Replaces an extension's criticality, keeping its value. */
    TestTbs critical(ASN1ObjectIdentifier oid, boolean critical) {
        Extension e = extensions.get(oid);
        extensions.put(oid, new Extension(oid, critical, e.getExtnValue()));
        return this;
    }

    TestTbs remove(ASN1ObjectIdentifier oid) {
        extensions.remove(oid);
        return this;
    }

    TBSCertificate build() {
        if (version == 1) {
            V1TBSCertificateGenerator g = new V1TBSCertificateGenerator();
            g.setSerialNumber(serial);
            g.setSignature(signature);
            g.setIssuer(issuer);
            g.setStartDate(notBefore);
            g.setEndDate(notAfter);
            g.setSubject(subject);
            g.setSubjectPublicKeyInfo(spki);
            return g.generateTBSCertificate();
        }
        V3TBSCertificateGenerator g = new V3TBSCertificateGenerator();
        g.setSerialNumber(serial);
        g.setSignature(signature);
        g.setIssuer(issuer);
        g.setStartDate(notBefore);
        g.setEndDate(notAfter);
        g.setSubject(subject);
        g.setSubjectPublicKeyInfo(spki);
        if (!extensions.isEmpty()) {
            g.setExtensions(new Extensions(extensions.values().toArray(Extension[]::new)));
        }
        return g.generateTBSCertificate();
    }
}
