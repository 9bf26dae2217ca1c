package dev.switchboard.session;

import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The open transactions of one STOMP session (BEGIN, COMMIT, ABORT): the SEND, ACK and NACK
 * frames held in each until it commits. Threads: confined to the session's inbound thread, so
 * it needs no lock.
 */
final class StompTransactions {

    /** Frames held in open transactions, by transaction id. */
    private final Map<String, List<StompFrame>> heldByTransaction = new HashMap<>();

    /** BEGIN: opens {@code transaction}; beginning one that is open is an error. */
    void begin(String transaction) throws ProtocolError {
        if (heldByTransaction.putIfAbsent(transaction, new ArrayList<>()) != null) {
            throw new ProtocolError("transaction already begun", "transaction '" + transaction + "' is open");
        }
    }

    /**
     * Holds {@code frame} if it is a SEND, ACK or NACK with a {@code transaction} header; returns
     * false if it is to be executed now. Naming a transaction that was not begun is an error.
     */
    boolean holdIfInTransaction(StompFrame frame) throws ProtocolError {
        String transaction = frame.header("transaction");
        if (transaction == null || !isTransactional(frame.command())) {
            return false;
        }
        List<StompFrame> held = heldByTransaction.get(transaction);
        if (held == null) {
            throw unknown(transaction);
        }
        held.add(frame);
        return true;
    }

    /** COMMIT: closes {@code transaction} and returns its frames in arrival order, to execute. */
    List<StompFrame> commit(String transaction) throws ProtocolError {
        List<StompFrame> held = heldByTransaction.remove(transaction);
        if (held == null) {
            throw unknown(transaction);
        }
        return held;
    }

    /** ABORT: drops {@code transaction} and its frames; aborting an unknown one is harmless. */
    void abort(String transaction) {
        heldByTransaction.remove(transaction);
    }

    private static boolean isTransactional(StompCommand command) {
        return command == StompCommand.SEND || command == StompCommand.ACK || command == StompCommand.NACK;
    }

    private static ProtocolError unknown(String transaction) {
        return new ProtocolError("unknown transaction", "transaction '" + transaction + "' was not begun");
    }
}
