package example.web;

/** A second class, so the build compiles more than the main class. */
final class Greeting {
    private Greeting() {}

    static String text() {
        return "hello from javac\n";
    }
}
