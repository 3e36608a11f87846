package dev.hallmark.authority.testing;

import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificateStore;
import dev.hallmark.authority.SerialIntent;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.ledger.AuditEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A {@link CertificateStore} with failure switches: "store fails after sign" (step 6) and "abort fails". */
public final class FaultyStore implements CertificateStore {
    private final CertificateStore delegate;
    private final AtomicBoolean failComplete = new AtomicBoolean();
    private final AtomicBoolean failAbort = new AtomicBoolean();

    public FaultyStore(CertificateStore delegate) {
        this.delegate = delegate;
    }

    /** The next {@link #complete} calls fail as a lost database would (the certificate was signed). */
    public FaultyStore failComplete(boolean fail) {
        failComplete.set(fail);
        return this;
    }

    /** {@link #abort} fails too (the serial then stays SIGNING). */
    public FaultyStore failAbort(boolean fail) {
        failAbort.set(fail);
        return this;
    }

    @Override
    public java.util.Optional<java.time.Instant> soonestLeafExpiry(java.time.Instant now) {
        return delegate.soonestLeafExpiry(now);
    }

    @Override
    public boolean reserve(SerialIntent intent, AuditEvent signing) {
        return delegate.reserve(intent, signing);
    }

    @Override
    public void complete(CertificateRecord certificate, AuditEvent issued) {
        if (failComplete.get()) {
            throw new IllegalStateException("injected: database lost before the certificate was stored");
        }
        delegate.complete(certificate, issued);
    }

    @Override
    public void abort(String issuer, SerialNumber serial, Instant at, AuditEvent aborted) {
        if (failAbort.get()) {
            throw new IllegalStateException("injected: database lost before the abort was stored");
        }
        delegate.abort(issuer, serial, at, aborted);
    }

    @Override
    public Optional<SerialRecord> serial(String issuer, SerialNumber serial) {
        return delegate.serial(issuer, serial);
    }

    @Override
    public Optional<CertificateRecord> certificate(String issuer, SerialNumber serial) {
        return delegate.certificate(issuer, serial);
    }

    @Override
    public List<CertificateRecord> search(CertificateQuery query, Instant now) {
        return delegate.search(query, now);
    }

    @Override
    public List<SerialRecord> unresolved(Instant before) {
        return delegate.unresolved(before);
    }

    @Override
    public SerialRecord revoke(String issuer, SerialNumber serial, RevocationChange change) {
        return delegate.revoke(issuer, serial, change);
    }

    @Override
    public List<SerialRecord> statusChangedSince(java.time.Instant since, int max) {
        return delegate.statusChangedSince(since, max);
    }

    @Override
    public void forEachLive(String issuer, java.time.Instant notAfterFrom, boolean revokedOnly,
                            java.util.function.Consumer<SerialRecord> consumer) {
        delegate.forEachLive(issuer, notAfterFrom, revokedOnly, consumer);
    }

    @Override
    public void forEachRevoked(String issuer, java.time.Instant notAfterFrom,
                               java.util.function.Consumer<dev.hallmark.authority.RevokedSerial> consumer) {
        delegate.forEachRevoked(issuer, notAfterFrom, consumer);
    }

    @Override
    public boolean isBlocked(String spkiSha256) {
        return delegate.isBlocked(spkiSha256);
    }

    @Override
    public void saveCa(CaRecord ca, AuditEvent created) {
        delegate.saveCa(ca, created);
    }

    @Override
    public List<CaRecord> cas() {
        return delegate.cas();
    }

    @Override
    public Optional<CaRecord> ca(String name) {
        return delegate.ca(name);
    }

    @Override
    public void forEachSerial(Consumer<SerialRecord> consumer) {
        delegate.forEachSerial(consumer);
    }

    @Override
    public List<String> duplicateSerials() {
        return delegate.duplicateSerials();
    }
}
