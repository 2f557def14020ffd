// Reads "A<TAB>B" lines and prints how Maven's ComparableVersion orders them:
// "<", "=" or ">". Used by scripts/version-differential.sh.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenCompare {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintWriter out = new PrintWriter(System.out);
        String line;
        while ((line = in.readLine()) != null) {
            String[] p = line.split("\t", 2);
            int c = new ComparableVersion(p[0]).compareTo(new ComparableVersion(p[1]));
            out.println(c < 0 ? "<" : c > 0 ? ">" : "=");
        }
        out.flush();
    }
}
