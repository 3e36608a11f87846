package dev.hallmark.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.AcmeJsonResource;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * ACME issuance load generator, the same client for every ACME server it is pointed at ({@code bench/acme-load/run.sh}
 * compares pebble and Hallmark with it). Each client is one thread with its own acme4j {@link Session} (its own
 * HTTP client, connections and nonce) and one P-256 account created before anything is timed; it then loops:
 * new order for one random name {@code <12 hex>.<suffix>} → fetch the authorization → publish the challenge
 * response and trigger the challenge → poll it until valid → poll the order until ready → finalize with a fresh
 * P-256 key and CSR ({@code Order.execute(KeyPair)}: acme4j's CSRBuilder over the order's identifiers) → poll the
 * order until valid → download the certificate chain. One certificate's time is that whole loop, wall clock.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.hallmark.bench.AcmeLoad --directory URL [--trust-pem FILE]
 *      [--clients N] [--duration SECONDS | --certs N] [--warmup SECONDS] [--challenge http-01|dns-01|none]
 *      [--http01-port P] [--dns-port P] [--domain-suffix SUFFIX] [--poll-ms MS] [--http-version 1.1|2]
 *      [--server-pid PID] [--clk-tck HZ] [--label NAME] [--out FILE] [--save-cert FILE] [--jdk-crypto]
 * </pre>
 *
 * <ul>
 *   <li>{@code --trust-pem}: PEM certificate(s) trusted for the directory's HTTPS (the JDK's own trust store is not
 *       used then). acme4j 4 builds its {@link HttpClient} in {@code AcmeProvider.createHttpClient(NetworkSettings)};
 *       {@link TrustingProvider} overrides it to add an {@link SSLContext} over those certificates and is handed to
 *       {@code new Session(URI, AcmeProvider)}. The server certificate must name the directory's host (an IP
 *       address SAN for 127.0.0.1): the JDK client checks host names.</li>
 *   <li>{@code --challenge}: {@code http-01} publishes the key authorization in a shared token map served by a JDK
 *       {@link HttpServer} on 127.0.0.1:{@code --http01-port} ({@code /.well-known/acme-challenge/TOKEN});
 *       {@code dns-01} publishes the digest as a TXT record served by the DNS server below; {@code none} triggers the
 *       http-01 challenge without publishing anything (for a server that skips validation). With pebble's
 *       {@code PEBBLE_VA_ALWAYS_VALID=1} {@code http-01} costs the client a map put and remove and nothing else, so
 *       the loop is the same for every server.</li>
 *   <li>{@code --dns-port}: a UDP DNS server on 127.0.0.1 (dnsjava {@link Message}) answering A 127.0.0.1 for any
 *       name, TXT for {@code _acme-challenge.} names from the shared map, and NOERROR with no answer for anything
 *       else (AAAA, CAA: no CAA record means any CA may issue).</li>
 *   <li>Polling: acme4j's own {@code waitForCompletion} sleeps for the server's Retry-After or 3 s, which would
 *       measure the sleep; this loop sleeps {@code --poll-ms} (default 10) before each re-fetch, whatever the server
 *       says, and reports the polls per certificate (each is a POST-as-GET the server pays for).</li>
 *   <li>Timing: all clients run for {@code --warmup} seconds (default 10; the client's JIT and the server's warm up),
 *       then the window opens: {@code --duration} seconds (default 15), or until {@code --certs} certificates have
 *       completed. A certificate counts when its download completes inside the window (its start may precede it);
 *       certificates per second = those / window. Failures inside the window are counted as errors (with the first
 *       messages) and the client goes on with a new order.</li>
 *   <li>{@code --server-pid}: the server's utime+stime from {@code /proc/PID/stat} (children's included, in
 *       {@code --clk-tck} ticks, default 100) read when the window opens and closes, so warm-up, account creation
 *       and the certificates still in flight after the window are not charged to the window's certificates. The
 *       client's own CPU over the window is reported too: near 1000 ms per second means the load generator, not the
 *       server, is the limit.</li>
 *   <li>{@code --save-cert}: writes the first chain downloaded (PEM) there, to see what the server issues.</li>
 *   <li>Client cost. The client needs a P-256 signature per request (about nine a certificate), a key pair and a
 *       CSR per certificate; on JDK 17 SunEC that made the client, on its one core, the limit at 4 clients against
 *       pebble (about 14 ms of client CPU a certificate against pebble's 4.5). So BouncyCastle is installed as the
 *       first JCA provider (about 1.4x faster ECDSA signing and 3x faster P-256 key generation than SunEC here;
 *       about 10 ms a certificate); {@code --jdk-crypto} keeps the JDK's providers. {@code --http-version}: HTTP/1.1
 *       by default, because Hallmark's listener speaks HTTP/1.1 only and every server should get the same
 *       protocol (acme4j's own default is the JDK client's, HTTP/2 over TLS when the server offers it).</li>
 * </ul>
 * Prints one JSON object on standard output (and to {@code --out}); progress and errors go to standard error.
 */
public final class AcmeLoad {
    private AcmeLoad() {
    }

    /** Command-line settings. */
    private static final class Options {
        URI directory;
        Path trustPem;
        int clients = 1;
        int durationSeconds = 15;
        int certs;
        int warmupSeconds = 10;
        String challenge = "http-01";
        int http01Port;
        int dnsPort;
        String suffix = "acme-load.example";
        int pollMs = 10;
        HttpClient.Version httpVersion = HttpClient.Version.HTTP_1_1;
        long serverPid;
        int clkTck = 100;
        String label = "";
        Path out;
        Path saveCert;
        boolean jdkCrypto;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    usage(null);
                }
                if (a.equals("--jdk-crypto")) {
                    o.jdkCrypto = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    usage(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--directory" -> o.directory = URI.create(v);
                    case "--trust-pem" -> o.trustPem = Path.of(v);
                    case "--clients" -> o.clients = Integer.parseInt(v);
                    case "--duration" -> o.durationSeconds = Integer.parseInt(v);
                    case "--certs" -> o.certs = Integer.parseInt(v);
                    case "--warmup" -> o.warmupSeconds = Integer.parseInt(v);
                    case "--challenge" -> o.challenge = v;
                    case "--http01-port" -> o.http01Port = Integer.parseInt(v);
                    case "--dns-port" -> o.dnsPort = Integer.parseInt(v);
                    case "--domain-suffix" -> o.suffix = v.replaceAll("^\\.+|\\.+$", "");
                    case "--poll-ms" -> o.pollMs = Integer.parseInt(v);
                    case "--http-version" -> o.httpVersion = switch (v) {
                        case "1.1", "1" -> HttpClient.Version.HTTP_1_1;
                        case "2" -> HttpClient.Version.HTTP_2;
                        default -> throw usage("--http-version is 1.1 or 2");
                    };
                    case "--server-pid" -> o.serverPid = Long.parseLong(v);
                    case "--clk-tck" -> o.clkTck = Integer.parseInt(v);
                    case "--label" -> o.label = v;
                    case "--out" -> o.out = Path.of(v);
                    case "--save-cert" -> o.saveCert = Path.of(v);
                    default -> usage("unknown option " + a);
                }
            }
            if (o.directory == null) {
                usage("--directory is required");
            }
            if (!Set.of("http-01", "dns-01", "none").contains(o.challenge)) {
                usage("--challenge is http-01, dns-01 or none");
            }
            if (o.challenge.equals("http-01") && o.http01Port == 0) {
                usage("--challenge http-01 needs --http01-port");
            }
            if (o.challenge.equals("dns-01") && o.dnsPort == 0) {
                usage("--challenge dns-01 needs --dns-port");
            }
            if (o.clients < 1 || o.durationSeconds < 1 || o.warmupSeconds < 0 || o.certs < 0 || o.pollMs < 0) {
                usage("--clients and --duration must be positive; --warmup, --certs and --poll-ms not negative");
            }
            return o;
        }

        static IllegalArgumentException usage(String problem) {
            if (problem != null) {
                System.err.println("AcmeLoad: " + problem);
            }
            System.err.println("usage: AcmeLoad --directory URL [--trust-pem FILE] [--clients N] [--duration SECONDS |"
                    + " --certs N] [--warmup SECONDS] [--challenge http-01|dns-01|none] [--http01-port P]"
                    + " [--dns-port P] [--domain-suffix SUFFIX] [--poll-ms MS] [--http-version 1.1|2]"
                    + " [--server-pid PID] [--clk-tck HZ] [--label NAME] [--out FILE] [--save-cert FILE]"
                    + " [--jdk-crypto]");
            System.exit(problem == null ? 0 : 2);
            return new IllegalArgumentException(problem);
        }
    }

    /**
     * acme4j's generic provider (any http/https directory URL) with an HTTP client that trusts the given
     * certificates only, and a fixed HTTP version. Otherwise what {@code AcmeProvider.createHttpClient} builds.
     */
    static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext ssl;
        private final HttpClient.Version version;

        TrustingProvider(SSLContext ssl, HttpClient.Version version) {
            this.ssl = ssl;
            this.version = version;
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings settings) {
            HttpClient.Builder b = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(settings.getTimeout())
                    .proxy(settings.getProxySelector())
                    .version(version);
            if (ssl != null) {
                b.sslContext(ssl);
            }
            if (settings.getAuthenticator() != null) {
                b.authenticator(settings.getAuthenticator());
            }
            return b.build();
        }
    }

    /** An SSL context trusting exactly the certificates in a PEM file. */
    static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        int n = 0;
        try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(pem))) {
            for (Certificate c : cf.generateCertificates(in)) {
                anchors.setCertificateEntry("anchor-" + n++, c);
            }
        }
        if (n == 0) {
            throw new GeneralSecurityException(pem + " holds no certificate");
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    // ---- challenge responders ----

    /** http-01 token → key authorization. */
    private static final Map<String, String> HTTP01 = new ConcurrentHashMap<>();
    /** dns-01 record name (lower case, no trailing dot) → digest. */
    private static final Map<String, String> DNS01 = new ConcurrentHashMap<>();
    private static final AtomicLong HTTP01_SERVED = new AtomicLong();
    private static final AtomicLong DNS_SERVED = new AtomicLong();
    private static final java.util.concurrent.atomic.AtomicBoolean SAVED = new java.util.concurrent.atomic.AtomicBoolean();

    private static HttpServer http01Server(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        String prefix = "/.well-known/acme-challenge/";
        server.createContext(prefix, exchange -> {
            try (exchange) {
                String token = exchange.getRequestURI().getPath().substring(prefix.length());
                String answer = HTTP01.get(token);
                if (answer == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                HTTP01_SERVED.incrementAndGet();
                byte[] body = answer.getBytes(StandardCharsets.US_ASCII);
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4, daemon("http01")));
        server.start();
        return server;
    }

    private static String dnsKey(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** A UDP DNS server on 127.0.0.1: A 127.0.0.1 for every name, TXT from {@link #DNS01}, NODATA otherwise. */
    private static DatagramSocket dnsServer(int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        Thread t = daemon("dns").newThread(() -> {
            byte[] buf = new byte[4096];
            while (!socket.isClosed()) {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(in);
                } catch (IOException e) {
                    return;
                }
                try {
                    Message query = new Message(Arrays.copyOf(in.getData(), in.getLength()));
                    Message reply = new Message(query.getHeader().getID());
                    reply.getHeader().setFlag(Flags.QR);
                    reply.getHeader().setFlag(Flags.AA);
                    if (query.getHeader().getFlag(Flags.RD)) {
                        reply.getHeader().setFlag(Flags.RD);
                    }
                    Record question = query.getQuestion();
                    if (question == null) {
                        reply.getHeader().setRcode(Rcode.FORMERR);
                    } else {
                        reply.addRecord(question, Section.QUESTION);
                        Name name = question.getName();
                        int type = question.getType();
                        if (type == Type.A || type == Type.ANY) {
                            reply.addRecord(new ARecord(name, DClass.IN, 0, loopback), Section.ANSWER);
                        }
                        if (type == Type.TXT || type == Type.ANY) {
                            String digest = DNS01.get(dnsKey(name.toString()));
                            if (digest != null) {
                                reply.addRecord(new TXTRecord(name, DClass.IN, 0, digest), Section.ANSWER);
                            }
                        }
                    }
                    byte[] wire = reply.toWire(512);
                    socket.send(new DatagramPacket(wire, wire.length, in.getSocketAddress()));
                    DNS_SERVED.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    if (!(e instanceof SocketException)) {
                        System.err.println("AcmeLoad dns: " + e);
                    }
                }
            }
        });
        t.start();
        return socket;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- the loop ----

    /** One certificate's outcome: wall time of the whole loop and of its four phases, in nanoseconds. */
    private record Sample(long end, long total, long order, long challenge, long finalization, long download, int polls) {
    }

    /** Where the window is; all times are System.nanoTime(). */
    private static final class Window {
        volatile long opens = Long.MAX_VALUE;
        volatile long closes = Long.MAX_VALUE;
        final int wanted;
        final AtomicInteger counted = new AtomicInteger();
        final CountDownLatch full = new CountDownLatch(1);
        volatile boolean stop;

        Window(int wanted) {
            this.wanted = wanted;
        }

        boolean inside(long t) {
            return t >= opens && t <= closes;
        }
    }

    private static final class Client implements Runnable {
        final int id;
        final Options o;
        final Session session;
        final Window window;
        final CyclicBarrier ready;
        final List<Sample> samples = new ArrayList<>();
        final Map<String, Integer> errorKinds = new LinkedHashMap<>();
        int errors;
        int printed;
        int warmupCerts;
        Login login;
        Throwable setupFailure;

        Client(int id, Options o, Session session, Window window, CyclicBarrier ready) {
            this.id = id;
            this.o = o;
            this.session = session;
            this.window = window;
            this.ready = ready;
        }

        @Override
        public void run() {
            try {
                login = new AccountBuilder().agreeToTermsOfService().useKeyPair(p256())
                        .createLogin(session);
            } catch (Exception | Error e) {
                setupFailure = e;
            }
            try {
                ready.await();
            } catch (Exception e) {
                return;
            }
            if (setupFailure != null) {
                return;
            }
            while (!window.stop) {
                long start = System.nanoTime();
                try {
                    Sample s = issue(start);
                    if (window.inside(s.end())) {
                        samples.add(s);
                        if (window.wanted > 0 && window.counted.incrementAndGet() == window.wanted) {
                            window.closes = s.end();
                            window.full.countDown();
                        }
                    } else if (s.end() < window.opens) {
                        warmupCerts++;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    long end = System.nanoTime();
                    if (window.inside(end)) {
                        errors++;
                        String kind = e.getClass().getSimpleName() + ": " + e.getMessage();
                        if (errorKinds.size() < 10 || errorKinds.containsKey(kind)) {
                            errorKinds.merge(kind, 1, Integer::sum);
                        }
                    }
                    if (printed++ < 3 && !window.stop) {
                        System.err.println("AcmeLoad client " + id + ": " + e);
                    }
                }
            }
        }

        private Sample issue(long start) throws AcmeException, InterruptedException, GeneralSecurityException {
            String name = String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xffffffffffffL)
                    + "." + o.suffix;
            int[] polls = {0};
            Order order = login.newOrder().domain(name).create();
            List<Authorization> auths = order.getAuthorizations();
            for (Authorization auth : auths) {
                auth.getStatus(); // fetches the authorization (POST-as-GET)
            }
            long ordered = System.nanoTime();
            for (Authorization auth : auths) {
                if (auth.getStatus() == Status.VALID) {
                    continue;
                }
                validate(auth, polls);
            }
            long validated = System.nanoTime();
            order.fetch();
            await(order, Status.READY, polls);
            order.execute(p256());
            await(order, Status.VALID, polls);
            long finalized = System.nanoTime();
            order.getCertificate().download();
            if (order.getCertificate().getCertificateChain().isEmpty()) {
                throw new IllegalStateException("empty certificate chain for " + name);
            }
            long end = System.nanoTime();
            if (o.saveCert != null && SAVED.compareAndSet(false, true)) {
                try (java.io.Writer w = Files.newBufferedWriter(o.saveCert)) {
                    order.getCertificate().writeCertificate(w);
                } catch (IOException e) {
                    System.err.println("AcmeLoad: --save-cert: " + e);
                }
            }
            return new Sample(end, end - start, ordered - start, validated - ordered, finalized - validated,
                    end - finalized, polls[0]);
        }

        private void validate(Authorization auth, int[] polls) throws AcmeException, InterruptedException {
            switch (o.challenge) {
                case "dns-01" -> {
                    Dns01Challenge ch = auth.findChallenge(Dns01Challenge.class)
                            .orElseThrow(() -> new IllegalStateException("no dns-01 challenge offered"));
                    String record = dnsKey(ch.getRRName(auth.getIdentifier()));
                    DNS01.put(record, ch.getDigest());
                    try {
                        ch.trigger();
                        await(ch, Status.VALID, polls);
                    } finally {
                        DNS01.remove(record);
                    }
                }
                case "http-01" -> {
                    Http01Challenge ch = auth.findChallenge(Http01Challenge.class)
                            .orElseThrow(() -> new IllegalStateException("no http-01 challenge offered"));
                    HTTP01.put(ch.getToken(), ch.getAuthorization());
                    try {
                        ch.trigger();
                        await(ch, Status.VALID, polls);
                    } finally {
                        HTTP01.remove(ch.getToken());
                    }
                }
                default -> {
                    Challenge ch = auth.findChallenge(Http01Challenge.class).map(c -> (Challenge) c)
                            .orElseGet(() -> auth.getChallenges().get(0));
                    ch.trigger();
                    await(ch, Status.VALID, polls);
                }
            }
        }

        /** Re-fetches every {@code --poll-ms} until {@code want}; fails on invalid or after 60 s. */
        private <R extends AcmeJsonResource & PollableResource> void await(R resource, Status want, int[] polls)
                throws AcmeException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                Status s = resource.getStatus();
                if (s == want) {
                    return;
                }
                if (s == Status.INVALID || (want == Status.READY && s == Status.VALID)) {
                    throw new IllegalStateException(resource.getClass().getSimpleName() + " " + s + " (wanted "
                            + want + "): " + resource.getJSON());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(resource.getClass().getSimpleName() + " still " + s + " after 60 s");
                }
                if (o.pollMs > 0) {
                    Thread.sleep(o.pollMs);
                }
                resource.fetch();
                polls[0]++;
            }
        }
    }

    static KeyPair p256() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** utime+stime+cutime+cstime of a process, in clock ticks; -1 when it cannot be read. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": f[0] is field 3 (state); utime..cstime are fields 14..17
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (!o.jdkCrypto) {
            java.security.Security.insertProviderAt(new org.bouncycastle.jce.provider.BouncyCastleProvider(), 1);
        }
        SSLContext ssl = o.trustPem == null ? null : trusting(o.trustPem);
        HttpServer http01 = o.http01Port > 0 ? http01Server(o.http01Port) : null;
        DatagramSocket dns = o.dnsPort > 0 ? dnsServer(o.dnsPort) : null;

        // The window's edges are set once every account exists; until then nothing is inside it.
        Window w = new Window(o.certs);
        CyclicBarrier ready = new CyclicBarrier(o.clients + 1);
        List<Client> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(o.clients, daemon("client"));
        for (int i = 0; i < o.clients; i++) {
            Session session = new Session(o.directory, new TrustingProvider(ssl, o.httpVersion));
            clients.add(new Client(i, o, session, w, ready));
        }
        long t = System.nanoTime();
        clients.forEach(pool::execute);
        ready.await(120, TimeUnit.SECONDS);
        for (Client c : clients) {
            if (c.setupFailure != null) {
                System.err.println("AcmeLoad: account creation failed: " + c.setupFailure);
                c.setupFailure.printStackTrace();
                System.exit(1);
            }
        }
        System.err.printf(Locale.ROOT, "# %d accounts in %d ms; warm-up %d s%n", o.clients,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t), o.warmupSeconds);
        long opens = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.warmupSeconds);
        long closes = o.certs > 0 ? Long.MAX_VALUE : opens + TimeUnit.SECONDS.toNanos(o.durationSeconds);
        w.closes = closes;
        w.opens = opens;
        sleepUntil(opens);
        long serverBefore = o.serverPid > 0 ? cpuTicks(o.serverPid) : -1;
        long selfBefore = cpuTicks(ProcessHandle.current().pid());
        long opened = System.nanoTime();
        if (o.certs > 0) {
            w.full.await();
        } else {
            sleepUntil(closes);
        }
        long serverAfter = o.serverPid > 0 ? cpuTicks(o.serverPid) : -1;
        long selfAfter = cpuTicks(ProcessHandle.current().pid());
        long closed = o.certs > 0 ? w.closes : System.nanoTime();
        w.stop = true;
        pool.shutdown();
        if (!pool.awaitTermination(90, TimeUnit.SECONDS)) {
            System.err.println("AcmeLoad: clients still busy 90 s after the window closed");
        }
        if (http01 != null) {
            http01.stop(0);
        }
        if (dns != null) {
            dns.close();
        }

        List<Sample> all = new ArrayList<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        int errors = 0;
        int warm = 0;
        for (Client c : clients) {
            all.addAll(c.samples);
            errors += c.errors;
            warm += c.warmupCerts;
            c.errorKinds.forEach((k, v) -> kinds.merge(k, v, Integer::sum));
        }
        all.removeIf(s -> s.end() > closed);
        double seconds = (closed - opened) / 1e9;
        long[] totals = all.stream().mapToLong(Sample::total).sorted().toArray();
        int n = totals.length;
        double serverMs = serverBefore >= 0 && serverAfter >= 0 ? (serverAfter - serverBefore) * 1000.0 / o.clkTck : -1;
        double selfMs = (selfAfter - selfBefore) * 1000.0 / o.clkTck;

        StringBuilder j = new StringBuilder("{");
        field(j, "label", o.label);
        field(j, "directory", o.directory.toString());
        field(j, "challenge", o.challenge);
        field(j, "clients", o.clients);
        field(j, "httpVersion", o.httpVersion == HttpClient.Version.HTTP_2 ? "2" : "1.1");
        field(j, "pollMs", o.pollMs);
        field(j, "warmupSeconds", o.warmupSeconds);
        field(j, "warmupCerts", warm);
        field(j, "seconds", round(seconds, 3));
        field(j, "certs", n);
        field(j, "certsPerSecond", round(n / seconds, 2));
        field(j, "p50Ms", round(percentile(totals, 50) / 1e6, 2));
        field(j, "p90Ms", round(percentile(totals, 90) / 1e6, 2));
        field(j, "p99Ms", round(percentile(totals, 99) / 1e6, 2));
        field(j, "maxMs", round(n == 0 ? 0 : totals[n - 1] / 1e6, 2));
        field(j, "meanMs", round(n == 0 ? 0 : Arrays.stream(totals).average().orElse(0) / 1e6, 2));
        j.append("\"phaseMeanMs\":{");
        field(j, "orderAndAuthz", round(mean(all, Sample::order), 2));
        field(j, "challenge", round(mean(all, Sample::challenge), 2));
        field(j, "finalize", round(mean(all, Sample::finalization), 2));
        field(j, "download", round(mean(all, Sample::download), 2));
        j.setLength(j.length() - 1);
        j.append("},");
        field(j, "pollsPerCert", round(n == 0 ? 0 : all.stream().mapToInt(Sample::polls).sum() / (double) n, 2));
        field(j, "errors", errors);
        j.append("\"errorKinds\":{");
        kinds.forEach((k, v) -> field(j, k.length() > 200 ? k.substring(0, 200) : k, v));
        if (!kinds.isEmpty()) {
            j.setLength(j.length() - 1);
        }
        j.append("},");
        field(j, "serverPid", o.serverPid);
        field(j, "serverCpuMs", round(serverMs, 1));
        field(j, "serverCpuMsPerCert", serverMs < 0 || n == 0 ? -1 : round(serverMs / n, 3));
        field(j, "clientCpuMs", round(selfMs, 1));
        field(j, "clientCpuMsPerCert", n == 0 ? -1 : round(selfMs / n, 3));
        field(j, "clientCpuShare", round(selfMs / (seconds * 1000), 3));
        field(j, "http01Served", HTTP01_SERVED.get());
        field(j, "dnsServed", DNS_SERVED.get());
        j.setLength(j.length() - 1);
        j.append("}");
        System.out.println(j);
        if (o.out != null) {
            Files.writeString(o.out, j + "\n");
        }
        System.exit(n == 0 ? 1 : 0);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static double mean(List<Sample> all, java.util.function.ToLongFunction<Sample> f) {
        return all.isEmpty() ? 0 : all.stream().mapToLong(f).average().orElse(0) / 1e6;
    }

    /** Nearest-rank percentile of sorted values. */
    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    private static void field(StringBuilder j, String key, Object value) {
        j.append('"').append(escape(key)).append("\":");
        if (value instanceof Number) {
            j.append(value);
        } else {
            j.append('"').append(escape(String.valueOf(value))).append('"');
        }
        j.append(',');
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
