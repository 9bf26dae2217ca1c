package dev.switchboard.standalone.cli;

/** The command line is wrong (unknown command or option, missing value): exit status 2 with the message. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
