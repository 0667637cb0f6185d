import java.lang.reflect.Field;
import java.util.List;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Runs DynamoDB Local as its own main class does, with its own command line, except that it
 * listens on 127.0.0.1 only. DynamoDB Local has no host option: it builds a Jetty server with
 * one connector for all interfaces and keeps it in a private field. This sets that connector's
 * host before the server starts, and refuses to start when the jar is not built as expected,
 * so the store is never reachable from the network.
 *
 * lib/local/dynamodb-local.ts compiles it once (javac) and runs it with the jar on the class
 * path; by hand, as a single-file program: java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java ARGS
 */
public final class LoopbackDynamoDbLocal {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Server jetty = jettyOf(proxy);
        List<Connector> connectors = List.of(jetty.getConnectors());
        if (connectors.isEmpty()) refuse("its server has no connector");
        for (Connector connector : connectors) {
            if (!(connector instanceof AbstractNetworkConnector)) refuse("a connector is " + connector.getClass());
            ((AbstractNetworkConnector) connector).setHost(HOST);
        }
        // As in ServerRunner: a taken port is printed and the server stopped, so the process ends.
        proxy.start();
    }

    private static Server jettyOf(DynamoDBProxyServer proxy) throws IllegalAccessException {
        for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
            if (field.getType() == Server.class) {
                field.setAccessible(true);
                return (Server) field.get(proxy);
            }
        }
        refuse("DynamoDBProxyServer holds no Jetty server");
        return null;
    }

    private static void refuse(String why) {
        System.err.println("DynamoDB Local cannot be bound to " + HOST + " only (" + why + "); not starting it.");
        System.exit(70);
    }
}
