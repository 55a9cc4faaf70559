# Shared by the scripts in scripts/: find a JDK >= 21 and the pinned Maven. Sourced, not run.

GANTRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GANTRY_MIN_JAVA=21

# The major version of the JDK at $1 (a JAVA_HOME), or nothing when it is not a JDK.
java_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

# Sets JAVA_HOME to a JDK >= 21: $JAVA_HOME if it qualifies, else the newest one found in the usual
# places (Debian/Ubuntu, RHEL, macOS, SDKMAN). Gantry compiles to Java 21 bytecode with any of them.
find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$GANTRY_MIN_JAVA" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /usr/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -d "$candidate" ] || continue
    major=$(java_major "$candidate")
    [ -n "$major" ] || continue
    if [ "$major" -ge "$GANTRY_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "gantry: no JDK ${GANTRY_MIN_JAVA} or newer found (looked at \$JAVA_HOME and /usr/lib/jvm, /usr/java," >&2
    echo "gantry: /Library/Java/JavaVirtualMachines, ~/.sdkman, ~/.jdks). Install one, or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}

# Runs the project's pinned Maven.
mvnw() {
  "$GANTRY_ROOT/mvnw" "$@"
}
