# smtp_session() against a scripted in-process SMTP peer (tests/smtp/smtp_session_test.cpp),
# part of test_smtp. Included after smtp.cmake (fragments are included in name order), which
# defines test_smtp.
target_sources(test_smtp PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/smtp/smtp_session_test.cpp)
target_include_directories(test_smtp PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support)
