package dev.hallmark.bench;

import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificateStore;
import dev.hallmark.authority.SerialIntent;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.ForwardingToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.ledger.AuditEvent;
import java.security.PublicKey;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Wall-clock time per issuance step, taken at the seams the authority already has: the raw token's sign, the
 * {@code VerifyingToken} around it (so verify = verified sign − raw sign) and the certificate store's calls (each a
 * transaction with its ledger entry and commit). Everything else in {@code Authority.issue} is CPU work in the JVM:
 * CSR parse and proof of possession, policy, shaping, lint, assembly. Thread-safe.
 */
final class Stages {
    /** The timed seams. */
    enum Stage {
        TOKEN_SIGN, VERIFIED_SIGN, IS_BLOCKED, RESERVE, COMPLETE, CA_LOOKUP, SERIAL_LOOKUP, OTHER_STORE
    }

    private final Map<Stage, LongAdder> nanos = new EnumMap<>(Stage.class);
    private final Map<Stage, LongAdder> calls = new EnumMap<>(Stage.class);

    Stages() {
        for (Stage s : Stage.values()) {
            nanos.put(s, new LongAdder());
            calls.put(s, new LongAdder());
        }
    }

    void reset() {
        nanos.values().forEach(LongAdder::reset);
        calls.values().forEach(LongAdder::reset);
    }

    /** Mean microseconds per call of {@code stage} spread over {@code operations}. */
    double microsPer(Stage stage, long operations) {
        return nanos.get(stage).sum() / 1e3 / operations;
    }

    long calls(Stage stage) {
        return calls.get(stage).sum();
    }

    private <T> T time(Stage stage, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            nanos.get(stage).add(System.nanoTime() - start);
            calls.get(stage).increment();
        }
    }

    private void run(Stage stage, Runnable work) {
        time(stage, () -> {
            work.run();
            return null;
        });
    }

    /** {@code token} with its {@code sign} timed as {@code stage}. */
    CryptoToken token(CryptoToken token, Stage stage) {
        return new ForwardingToken(token) {
            @Override
            public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
                return time(stage, () -> super.sign(key, algorithm, data));
            }
        };
    }

    /** {@code store} with every call timed. */
    CertificateStore store(CertificateStore store) {
        return new CertificateStore() {
            @Override
            public java.util.Optional<java.time.Instant> soonestLeafExpiry(java.time.Instant now) {
                return store.soonestLeafExpiry(now);
            }

            @Override
            public boolean reserve(SerialIntent intent, AuditEvent signing) {
                return time(Stage.RESERVE, () -> store.reserve(intent, signing));
            }

            @Override
            public void complete(CertificateRecord certificate, AuditEvent issued) {
                run(Stage.COMPLETE, () -> store.complete(certificate, issued));
            }

            @Override
            public void abort(String issuer, SerialNumber serial, Instant at, AuditEvent aborted) {
                run(Stage.OTHER_STORE, () -> store.abort(issuer, serial, at, aborted));
            }

            @Override
            public Optional<SerialRecord> serial(String issuer, SerialNumber serial) {
                return time(Stage.SERIAL_LOOKUP, () -> store.serial(issuer, serial));
            }

            @Override
            public Optional<CertificateRecord> certificate(String issuer, SerialNumber serial) {
                return time(Stage.SERIAL_LOOKUP, () -> store.certificate(issuer, serial));
            }

            @Override
            public List<CertificateRecord> search(CertificateQuery query, Instant now) {
                return time(Stage.OTHER_STORE, () -> store.search(query, now));
            }

            @Override
            public List<SerialRecord> unresolved(Instant before) {
                return time(Stage.OTHER_STORE, () -> store.unresolved(before));
            }

            @Override
            public SerialRecord revoke(String issuer, SerialNumber serial, RevocationChange change) {
                return time(Stage.OTHER_STORE, () -> store.revoke(issuer, serial, change));
            }

            @Override
            public List<SerialRecord> statusChangedSince(java.time.Instant since, int max) {
                return store.statusChangedSince(since, max);
            }

            @Override
            public void forEachLive(String issuer, java.time.Instant notAfterFrom, boolean revokedOnly,
                                    java.util.function.Consumer<SerialRecord> consumer) {
                store.forEachLive(issuer, notAfterFrom, revokedOnly, consumer);
            }

            @Override
            public void forEachRevoked(String issuer, java.time.Instant notAfterFrom,
                                       java.util.function.Consumer<dev.hallmark.authority.RevokedSerial> consumer) {
                store.forEachRevoked(issuer, notAfterFrom, consumer);
            }

            @Override
            public boolean isBlocked(String spkiSha256) {
                return time(Stage.IS_BLOCKED, () -> store.isBlocked(spkiSha256));
            }

            @Override
            public void saveCa(CaRecord ca, AuditEvent created) {
                run(Stage.OTHER_STORE, () -> store.saveCa(ca, created));
            }

            @Override
            public List<CaRecord> cas() {
                return time(Stage.CA_LOOKUP, store::cas);
            }

            @Override
            public Optional<CaRecord> ca(String name) {
                return time(Stage.CA_LOOKUP, () -> store.ca(name));
            }

            @Override
            public void forEachSerial(Consumer<SerialRecord> consumer) {
                run(Stage.OTHER_STORE, () -> store.forEachSerial(consumer));
            }

            @Override
            public List<String> duplicateSerials() {
                return time(Stage.OTHER_STORE, store::duplicateSerials);
            }
        };
    }
}
