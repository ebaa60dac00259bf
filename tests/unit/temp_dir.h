// A fresh folder under /tmp for a test's files, removed with what the test
// wrote there when the test program ends.
#ifndef ORTIGIA_TESTS_TEMP_DIR_H
#define ORTIGIA_TESTS_TEMP_DIR_H

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

/* "/tmp/ortigia_<prefix>_<pid>_<n>", created. */
inline std::string ort_test_temp_dir(const std::string &prefix)
{
    static int counter = 0;
    static struct Removed {
        std::vector<std::string> dirs;
        ~Removed()
        {
            for (const std::string &dir : dirs)
                if (system(("rm -rf '" + dir + "'").c_str()) != 0)
                    fprintf(stderr, "could not remove %s\n", dir.c_str());
        }
    } removed;
    std::string d = "/tmp/ortigia_" + prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    removed.dirs.push_back(d);
    mkdir(d.c_str(), 0777);
    return d;
}

#endif
