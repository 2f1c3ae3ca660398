# Puts exchange-md's chart page into DEST (the build's md-web/, exchange-md's
# default web_root): the page's own files from SOURCE (md/web) and the
# lightweight-charts standalone build (with its licence) from
# SOURCE/node_modules. Run at build time (cmake -P) by md/CMakeLists.txt.
#
# npm runs only when SOURCE/node_modules was never installed or is older
# than SOURCE/package-lock.json (`npm ci`, the versions the lock file pins),
# so builds after the first need no network. Without npm, or when npm ci
# fails (offline), the build goes on: the page is copied alone and says
# that the chart library is missing; STAMP is then not written, so the next
# build tries again.
#
# Arguments (-D): SOURCE, DEST, STAMP, NPM (the npm program, or empty /
# NPM-NOTFOUND).
cmake_minimum_required(VERSION 3.21)  # file(COPY_FILE ... ONLY_IF_DIFFERENT)

set(page_files index.html app.js style.css)
set(library_dir "${SOURCE}/node_modules/lightweight-charts")
set(library "${library_dir}/dist/lightweight-charts.standalone.production.js")
set(installed_lock "${SOURCE}/node_modules/.package-lock.json")

file(MAKE_DIRECTORY "${DEST}")
foreach(f IN LISTS page_files)
  file(COPY_FILE "${SOURCE}/${f}" "${DEST}/${f}" ONLY_IF_DIFFERENT)
endforeach()

# One npm at a time in SOURCE: several build directories share it.
file(LOCK "${SOURCE}" DIRECTORY GUARD PROCESS TIMEOUT 600)
if(NOT EXISTS "${installed_lock}" OR NOT EXISTS "${library}"
   OR "${SOURCE}/package-lock.json" IS_NEWER_THAN "${installed_lock}")
  if(NPM AND NOT NPM MATCHES "NOTFOUND$")
    message(STATUS "md-web: npm ci in ${SOURCE}")
    execute_process(COMMAND "${NPM}" ci --no-audit --no-fund
      WORKING_DIRECTORY "${SOURCE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      message(WARNING "md-web: `npm ci` in ${SOURCE} failed (${rc}); the chart page will say "
        "its library is missing. npm said:\n${out}")
    endif()
  else()
    message(WARNING "md-web: npm not found and ${SOURCE}/node_modules not installed; the chart "
      "page will say its library is missing (scripts/install-deps.sh installs nodejs and npm)")
  endif()
endif()
file(LOCK "${SOURCE}" DIRECTORY RELEASE)

if(EXISTS "${library}")
  file(COPY_FILE "${library}" "${DEST}/lightweight-charts.standalone.production.js"
    ONLY_IF_DIFFERENT)
  file(COPY_FILE "${library_dir}/LICENSE" "${DEST}/lightweight-charts.LICENSE.txt"
    ONLY_IF_DIFFERENT)
  file(TOUCH "${STAMP}")
else()
  file(REMOVE "${STAMP}")
endif()
