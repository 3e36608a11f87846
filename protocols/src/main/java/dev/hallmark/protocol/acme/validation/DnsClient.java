package dev.hallmark.protocol.acme.validation;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The one DNS client of the VA: every A, AAAA, TXT and CAA lookup goes through it, so every lookup has the same
 * bounds (T21). Queries one recursive resolver with dnsjava's {@link SimpleResolver}: UDP with EDNS(0), retried
 * over TCP when the answer is truncated, each query limited by the attempt's remaining time. There is no cache:
 * validation must see the zone as it is now (RFC 8555 §10.2 wants a fresh look for each attempt).
 *
 * <p>Bounds: at most {@link #MAX_CNAME_HOPS} CNAMEs are followed and a repeated name is a loop; an answer section
 * of more than {@link #MAX_ANSWER_RECORDS} records is refused (DNS itself caps a message at 64 KiB, so memory is
 * bounded before this check). Stateless apart from the server address; thread-safe.
 */
final class DnsClient {
    /** Longest CNAME chain followed; real delegations (for example {@code _acme-challenge} to a DNS provider) use 1-2. */
    static final int MAX_CNAME_HOPS = 8;
    /** Largest answer section accepted; a legitimate A, TXT or CAA RRset is far smaller. */
    static final int MAX_ANSWER_RECORDS = 100;
    /** RFC 8085 / DNS flag day 2020: an EDNS UDP size that avoids IP fragmentation. */
    private static final int EDNS_PAYLOAD = 1232;

    private final InetSocketAddress server;

    /** @param server the recursive resolver, or null for the system's first configured resolver */
    DnsClient(InetSocketAddress server) {
        this.server = server != null ? server : ResolverConfig.getCurrentConfig().server();
    }

    /** Where queries go, for logs and problem details. */
    InetSocketAddress server() {
        return server;
    }

    /**
     * The result of one lookup after following CNAMEs.
     *
     * @param nxdomain whether the (final) name does not exist
     * @param records  the records of the requested type at the final name; empty for NXDOMAIN and NODATA
     */
    record Answer(boolean nxdomain, List<Record> records) {
    }

    /**
     * Looks up {@code type} records for {@code name}, following CNAMEs.
     *
     * @throws ValidationFailure {@code dns}: SERVFAIL, REFUSED or another error code, a timeout, an oversized
     *                           answer, a CNAME loop or too long a chain
     */
    Answer lookup(String name, int type, AttemptContext ctx) throws ValidationFailure {
        Name current = absolute(name);
        Set<Name> seen = new HashSet<>();
        seen.add(current);
        int hops = 0;
        while (true) {
            Message response = query(current, type, ctx);
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return new Answer(true, List.of());
            }
            if (rcode != Rcode.NOERROR) {
                throw new ValidationFailure("dns", "DNS problem: " + Rcode.string(rcode) + " looking up "
                        + Type.string(type) + " for " + text(current));
            }
            List<Record> answer = response.getSection(Section.ANSWER);
            if (answer.size() > MAX_ANSWER_RECORDS) {
                throw new ValidationFailure("dns", "DNS problem: answer for " + Type.string(type) + " "
                        + text(current) + " has " + answer.size() + " records (more than " + MAX_ANSWER_RECORDS
                        + ")");
            }
            // Walk the chain the resolver already put in the answer before asking again.
            Name at = current;
            while (true) {
                List<Record> matches = recordsAt(answer, at, type);
                if (!matches.isEmpty()) {
                    return new Answer(false, matches);
                }
                List<Record> aliases = recordsAt(answer, at, Type.CNAME);
                if (aliases.isEmpty()) {
                    break;
                }
                at = ((CNAMERecord) aliases.get(0)).getTarget();
                hops++;
                if (hops > MAX_CNAME_HOPS) {
                    throw new ValidationFailure("dns", "DNS problem: more than " + MAX_CNAME_HOPS
                            + " CNAMEs following " + text(absolute(name)));
                }
                if (!seen.add(at)) {
                    throw new ValidationFailure("dns", "DNS problem: CNAME loop at " + text(at) + " following "
                            + text(absolute(name)));
                }
            }
            if (at.equals(current)) {
                return new Answer(false, List.of()); // NODATA: the name exists without records of this type
            }
            current = at; // the chain left the answer; ask for its end
        }
    }

    /**
     * The IPv6 then IPv4 addresses of {@code name} (the order Boulder tries them in). Like Boulder, one family
     * failing is tolerated when the other answers.
     *
     * @throws ValidationFailure {@code dns} when the name does not exist, both lookups fail, or neither has records
     */
    List<InetAddress> addresses(String name, AttemptContext ctx) throws ValidationFailure {
        List<InetAddress> out = new ArrayList<>();
        ValidationFailure firstError = null;
        boolean nxdomain = false;
        for (int type : new int[] {Type.AAAA, Type.A}) {
            try {
                Answer answer = lookup(name, type, ctx);
                nxdomain |= answer.nxdomain();
                for (Record r : answer.records()) {
                    out.add(plain(r instanceof ARecord a ? a.getAddress() : ((AAAARecord) r).getAddress()));
                }
            } catch (ValidationFailure e) {
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (out.isEmpty() && firstError != null) {
            throw firstError;
        }
        if (out.isEmpty()) {
            throw new ValidationFailure("dns", "DNS problem: " + (nxdomain ? "NXDOMAIN looking up A and AAAA for "
                    : "no A or AAAA records found for ") + name);
        }
        return out;
    }

    private Message query(Name name, int type, AttemptContext ctx) throws ValidationFailure {
        String what = Type.string(type) + " " + text(name);
        ctx.phase("dns", "looking up " + what);
        SimpleResolver resolver = new SimpleResolver(server);
        // A fresh resolver per query: its timeout is the attempt's remaining time, which shrinks as it runs.
        resolver.setTimeout(Duration.ofMillis(ctx.remainingMillis()));
        resolver.setEDNS(0, EDNS_PAYLOAD, 0, List.of());
        try {
            // sendAsync with a direct executor: dnsjava's send() completes on the common pool, which on a two-core
            // machine is CompletableFuture's thread-per-task fallback (a new thread per lookup).
            return resolver.sendAsync(Message.newQuery(Record.newRecord(name, type, DClass.IN)), Runnable::run)
                    .toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ValidationFailure("dns", "DNS problem: interrupted looking up " + what);
        } catch (java.util.concurrent.ExecutionException ee) {
            Throwable e = ee.getCause();
            // dnsjava reports its own timeout as an IOException caused by a TimeoutException.
            if (e instanceof SocketTimeoutException || e instanceof TimeoutException || (e != null && e.getCause() instanceof TimeoutException)) {
                throw new ValidationFailure("dns", "DNS problem: query timed out looking up " + what + " at "
                        + server.getAddress().getHostAddress() + ":" + server.getPort());
            }
            throw new ValidationFailure("dns", "DNS problem: looking up " + what + " failed: "
                    + (e == null ? "unknown error" : e.getMessage()));
        }
    }

    private static List<Record> recordsAt(List<Record> answer, Name owner, int type) {
        List<Record> out = new ArrayList<>();
        for (Record r : answer) {
            if (r.getType() == type && r.getDClass() == DClass.IN && r.getName().equals(owner)) {
                out.add(r);
            }
        }
        return out;
    }

    static Name absolute(String name) throws ValidationFailure {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new ValidationFailure("malformed", "not a valid DNS name: " + ValidationFailure.quoted(name, 64));
        }
    }

    private static String text(Name name) {
        return name.toString(true);
    }

    /** Drops the host name dnsjava attaches, so logs and the deny list see only the address. */
    private static InetAddress plain(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of impossible length", e);
        }
    }
}
