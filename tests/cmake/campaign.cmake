# A campaign of phases against the lab (docs/distributed.md): 4 resolve shards, 3 probe
# shards (one killed with SIGKILL and resumed), the merge equal to the one-machine scan,
# each address contacted once campaign-wide, the one-shot --shard's repeated contacts
# shown for contrast, and the phases' refusals (tests/e2e/campaign_lab.py).
add_test(NAME "e2e: campaign of resolve, probe and merge phases"
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/campaign_lab.py ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/e2e-campaign)
set_tests_properties("e2e: campaign of resolve, probe and merge phases" PROPERTIES
  LABELS "e2e;lab" TIMEOUT 600 RESOURCE_LOCK lab
  REQUIRED_FILES "${PROJECT_BINARY_DIR}/mxscan-persona;${PROJECT_BINARY_DIR}/mxscan")
