package dev.flotilla.messaging.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's connections: at most {@code size} in use at once (one per batch in flight), kept between batches and
 * closed when one fails or the relay stops. Thread-safe.
 */
final class RelayConnections {

    private static final Logger LOG = LoggerFactory.getLogger(RelayConnections.class);

    private final DataSource dataSource;
    private final String table;
    private final Semaphore slots;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    RelayConnections(DataSource dataSource, int size, String table) {
        this.dataSource = dataSource;
        this.table = table;
        this.slots = new Semaphore(size);
    }

    /** A connection not in auto-commit, once a slot is free; the slot is freed again when this throws. */
    Connection acquire() throws InterruptedException, SQLException {
        slots.acquire();
        try {
            Connection connection = idle.poll();
            if (connection == null) {
                connection = dataSource.getConnection();
                connection.setAutoCommit(false);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    /** Keeps a connection for the next batch, or closes it when it failed (or the relay stops), and frees its slot. */
    void release(Connection connection, boolean reusable) {
        if (reusable && !closed) {
            idle.add(connection);
        } else {
            close(connection);
        }
        slots.release();
    }

    /** Closes the connections kept; those in use are closed when released. */
    void close() {
        closed = true;
        Connection connection;
        while ((connection = idle.poll()) != null) {
            close(connection);
        }
    }

    private void close(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("Outbox {}: rollback failed", table, e);
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Outbox {}: close failed", table, e);
        }
    }
}
